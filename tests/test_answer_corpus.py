"""The answer-shape corpus (tests/data/answer_corpus.jsonl): real-world answer shapes rebuilt from
public issue reports against lm-eval, lighteval, inspect, OpenCompass, math-verify and others
(each row names the thread it was rebuilt from), with the right strict and flexible value under
the rule in :mod:`cec_eval.tasks.answers`, through the same entry point the lm-eval filters use."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from cec_eval.tasks.answers import math_equivalent
from cec_eval.tasks.filters import analyse

CORPUS = Path(__file__).parent / "data" / "answer_corpus.jsonl"
KINDS = (
    "run-on", "several-answers", "markup", "units-currency", "negatives", "fractions", "percentages",
    "thousands", "letters", "articles", "truncated", "prefilled-think", "qwen-tokens", "empty", "hypothetical",
)


def _rows() -> list[dict]:
    rows = []
    for lineno, line in enumerate(CORPUS.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        for field in ("id", "kind", "target", "text", "strict", "flexible", "truncated", "source"):
            assert field in row, f"{CORPUS.name}:{lineno}: no field {field!r}"
        rows.append(row)
    return rows


ROWS = _rows()


def test_corpus_covers_every_kind_and_is_big_enough():
    counts = Counter(r["kind"] for r in ROWS)
    assert len(ROWS) >= 80 and set(counts) == set(KINDS)
    assert len({r["id"] for r in ROWS}) == len(ROWS)
    assert {r["target"] for r in ROWS} == {"number", "letter"}


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_corpus_row(row):
    text, target = row["text"], row["target"]
    strict = analyse(text, "answer", "strict", target)["extracted"]
    flexible = analyse(text, "answer", "flexible", target)["extracted"]
    fmt = analyse(text, "format")
    assert (strict, flexible, fmt["truncated"]) == (row["strict"], row["flexible"], row["truncated"])
    if "compliant" in row:
        assert fmt["compliant"] is row["compliant"]
    if "think_form" in row:
        assert fmt["think_form"] == row["think_form"]
    if row["truncated"] and target == "number":
        assert analyse(text, "answer", "math")["extracted"] is None  # no mode grades an unfinished trace
    if row["strict"] is not None and target == "number":
        # math-verify reads the same statement
        assert math_equivalent(row["strict"], analyse(text, "answer", "math")["extracted"])
