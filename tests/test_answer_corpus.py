"""The answer-shape corpus (tests/data/answer_corpus.jsonl): real-world answer shapes rebuilt from
public issue reports against lm-eval, lighteval, inspect, OpenCompass, math-verify and others
(each row names the thread it was rebuilt from), with the right strict and flexible value under
the rule in :mod:`cec_eval.tasks.answers`, through the same entry point the lm-eval filters use."""
from __future__ import annotations

import ast
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


@pytest.mark.slow
def test_real_run_does_not_grade_an_intermediate_step(smollm2_dir):
    """Issue 13's real-run row: SmolLM2 on gsm8k_causal with the chat template and 96 new tokens
    writes "The answer is 2 * 1 = 2 bolts ..." for the second problem (gold 3) and is cut off
    mid-reasoning; no mode may take 2 from it, and the row counts as truncated."""
    from lm_eval import simple_evaluate

    from cec_eval.tasks import task_manager

    out = simple_evaluate(
        model="hf", model_args=f"pretrained={smollm2_dir}", device="cpu", tasks=["gsm8k_causal"],
        task_manager=task_manager(include_defaults=False), limit=2, apply_chat_template=True,
        gen_kwargs={"max_gen_toks": 96}, bootstrap_iters=0, log_samples=True,
    )
    samples = [s for s in out["samples"]["gsm8k_causal"] if s["doc_id"] == 1]
    # logged filter outputs are dicts (or their repr, depending on the lm-eval version)
    by_filter = {s["filter"]: s["filtered_resps"][0] for s in samples}
    by_filter = {k: ast.literal_eval(v) if isinstance(v, str) else v for k, v in by_filter.items()}
    response = samples[0]["resps"][0][0]
    assert "The answer is 2 * 1 = 2 bolts" in response
    for name in ("strict-match", "flexible-extract", "math-verify"):
        assert by_filter[name]["extracted"] is None, name
    assert by_filter["format"]["truncated"] is True


XML_18 = ("<think>\nShe has 16 eggs.\n<causality>\nEating 3 and baking 4 leave 16 - 3 - 4 = 9 eggs to sell.\n"
          "Each egg sold brings $2, so 9 * 2 = $18.\n</causality>\n</think>\nThe answer is 18.")
QWEN_3 = ("<|im_start|>think\nA robe needs 2 bolts of blue fiber.\n<|im_start|>causality\nHalf as much white: 1 bolt. "
          "Total 2 + 1 = 3.\n<|im_start|>answer\n#### 3")


def test_prefilled_think_through_lm_eval_scores_like_the_full_trace(tmp_path):
    """Issue 13's prefilled row through a real lm-eval run: a served model whose chat template
    supplied the opening think marker (its replies start inside the block) is compliant and gets
    the CEC of the full trace."""
    from lm_eval import simple_evaluate

    from cec_eval import get_scorer
    from cec_eval.tasks import data, task_manager
    from cec_eval.tasks.causality import parse_causal_response
    from chat_server import ChatServer

    def prefilled(body: dict) -> str:
        full = XML_18 if "Janet" in body["messages"][-1]["content"] else QWEN_3
        return full.split("think", 1)[1].lstrip(">\n")  # the output starts inside the think block

    with ChatServer(responder=prefilled, model="served") as srv:
        out = simple_evaluate(
            model="local-chat-completions", tasks=["gsm8k_causal"], task_manager=task_manager(include_defaults=False),
            model_args=f"model=served,base_url={srv.base_url}/chat/completions,tokenizer_backend=None",
            apply_chat_template=True, limit=2, gen_kwargs={"max_gen_toks": 64}, bootstrap_iters=0,
        )
    m = out["results"]["gsm8k_causal"]
    assert m["format_compliance,format"] == 1.0 and m["exact_match,strict-match"] == 1.0
    docs = data.gsm8k()["test"].select(range(2))
    full = get_scorer().score([parse_causal_response(t).reasoning for t in (XML_18, QWEN_3)], [d["references"] for d in docs])
    assert m["cec_sym,reasoning"] == pytest.approx(full.mean["sym"], abs=1e-9)
