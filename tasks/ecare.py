"""e-CARE causal reasoning (Du et al., ACL 2022) as two lm-eval tasks, on a seeded split of the
shipped e-CARE *train* file (e-CARE's own dev/test are not shipped).

Tasks (``ecare_causal_ll.yaml``, ``ecare_causal_gen.yaml``):

* ``ecare_causal_ll``: multiple choice by log-likelihood, COPA style: the context is the premise
  and "What was the cause?" / "What happened as a result?"; the two hypotheses are the choices.
* ``ecare_causal_gen``: the same question with the two options numbered, answered in the
  project's causality format (``<think>`` / ``<causality>``, then "The answer is 1|2"); the choice
  is read with the project's answer rule (:mod:`cec_eval.tasks.answers`), see :func:`choice`.

**Split** (:func:`split_rows`). e-CARE reuses texts: of 14,928 rows only 10,491 explanations are
distinct, and a cause or effect sentence often appears in several questions (once asked for its
effect, once for its cause). Rows are therefore grouped first: two rows are in one group when they
share the cause sentence, the effect sentence or the conceptual explanation of their *correct*
pair (union-find; 10,382 groups, the largest 13 rows). The groups, in order of their first row,
are shuffled with ``random.Random(SPLIT_SEED)``; whole groups go to test until it holds at least
:data:`TEST_ROWS` rows, then to dev until :data:`DEV_ROWS`, the rest to train. So no correct
cause-effect pair and no explanation of a test question is in train or dev; a *wrong* option of a
test question can still be a sentence seen elsewhere (linking wrong options too merges 80% of the
rows into one group). Sizes: :data:`SPLIT_SIZES` (asserted by tests/test_ecare_task.py).

Source: ``cec_eval/data/datasets/ecare-*.jsonl.gz`` (byte copies of e-CARE's
``dataset/{Causal_Reasoning,Explanation_Generation}/train.jsonl``, MIT; see PROVENANCE.md there),
joined 1:1 on ``index``.
"""
from __future__ import annotations

import functools
import random
import re
from typing import Any, Iterable

from lm_eval.api.filter import Filter

from cec_eval.errors import InputError

SPLIT_SEED = 17
TEST_ROWS = 2000
DEV_ROWS = 1000
#: measured sizes of the split with the constants above (rows; whole groups could overshoot a
#: target by a few rows, and here happen not to)
SPLIT_SIZES = {"train": 11928, "dev": 1000, "test": 2000}
QUESTIONS = {"cause": "What was the cause?", "effect": "What happened as a result?"}
REFERENCE_SOURCE = "ecare-conceptual-explanation"
SOURCES = ("ecare_causal_reasoning_train", "ecare_explanation_generation_train")
_REASONING_FIELDS = ("index", "premise", "ask-for", "hypothesis1", "hypothesis2", "label")
_EXPLANATION_FIELDS = ("index", "cause", "effect", "conceptual_explanation")


def _text_field(row: dict, field: str, where: str) -> str:
    value = row.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: field {field!r} is missing, empty or not text")
    return value.strip()


def join_rows(reasoning: Iterable[dict], explanations: Iterable[dict]) -> list[dict]:
    """e-CARE question rows joined with their explanation rows, as documents.

    Each document: ``id`` (e-CARE ``index``), ``premise``, ``ask_for`` (cause|effect),
    ``question``, ``choices`` (the two hypotheses), ``label`` (0|1), ``answer`` ("1"|"2"),
    ``cause``, ``effect``, ``explanation``. Raises :class:`InputError` naming the file, row and
    field of the first bad row (missing field, bad label, explanation that does not belong)."""
    expl = {}
    for i, row in enumerate(explanations):
        where = f"{SOURCES[1]} row {i}"
        expl[_text_field(row, "index", where)] = {f: _text_field(row, f, where) for f in _EXPLANATION_FIELDS}
    docs = []
    for i, row in enumerate(reasoning):
        where = f"{SOURCES[0]} row {i}"
        index, premise = _text_field(row, "index", where), _text_field(row, "premise", where)
        ask = _text_field(row, "ask-for", where)
        if ask not in QUESTIONS:
            raise InputError(f"{where}: field 'ask-for' is {ask!r}, not one of {list(QUESTIONS)}")
        choices = [_text_field(row, "hypothesis1", where), _text_field(row, "hypothesis2", where)]
        label = row.get("label")
        if label not in (0, 1) or isinstance(label, bool):
            raise InputError(f"{where}: field 'label' is {label!r}, not 0 or 1")
        e = expl.get(index)
        if e is None:
            raise InputError(f"{where}: index {index!r} has no row in {SOURCES[1]}")
        cause, effect = (premise, choices[label]) if ask == "effect" else (choices[label], premise)
        if (e["cause"], e["effect"]) != (cause, effect):
            raise InputError(f"{SOURCES[1]} index {index!r}: fields 'cause'/'effect' do not match the question's correct pair")
        docs.append({"id": index, "premise": premise, "ask_for": ask, "question": QUESTIONS[ask], "choices": choices,
                     "label": label, "answer": str(label + 1), "cause": cause, "effect": effect,
                     "explanation": e["conceptual_explanation"]})
    return docs


def groups(docs: list[dict]) -> list[list[int]]:
    """Row indices grouped by shared cause sentence, effect sentence or explanation (union-find),
    each group sorted, groups ordered by their first row."""
    parent = list(range(len(docs)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[tuple[str, str], int] = {}
    for i, d in enumerate(docs):
        for key in (("text", d["cause"]), ("text", d["effect"]), ("explanation", d["explanation"])):
            if key in first:
                a, b = find(i), find(first[key])
                parent[max(a, b)] = min(a, b)
            else:
                first[key] = i
    out: dict[int, list[int]] = {}
    for i in range(len(docs)):
        out.setdefault(find(i), []).append(i)
    return [out[k] for k in sorted(out)]


def split_docs(docs: list[dict], seed: int = SPLIT_SEED, test_rows: int = TEST_ROWS,
               dev_rows: int = DEV_ROWS) -> dict[str, list[dict]]:
    """``{"train", "dev", "test"}`` of ``docs`` by whole groups (see the module docstring); each
    split keeps the file's row order."""
    if test_rows < 0 or dev_rows < 0 or test_rows + dev_rows > len(docs):
        raise InputError(f"split sizes test={test_rows}, dev={dev_rows} do not fit {len(docs)} rows")
    order = groups(docs)
    random.Random(seed).shuffle(order)
    where: dict[int, str] = {}
    counts = {"test": 0, "dev": 0}
    for g in order:
        name = "test" if counts["test"] < test_rows else "dev" if counts["dev"] < dev_rows else "train"
        if name in counts:
            counts[name] += len(g)
        for i in g:
            where[i] = name
    return {name: [d for i, d in enumerate(docs) if where[i] == name] for name in ("train", "dev", "test")}


@functools.lru_cache(maxsize=2)
def _split(seed: int) -> dict[str, tuple[dict, ...]]:
    from cec_eval.resources import read_jsonl

    docs = join_rows(read_jsonl(SOURCES[0]), read_jsonl(SOURCES[1]))
    return {k: tuple(v) for k, v in split_docs(docs, seed).items()}


def split_rows(name: str, seed: int = SPLIT_SEED) -> list[dict]:
    """Copies of the documents of split ``name`` (train|dev|test) of the shipped e-CARE train."""
    if name not in ("train", "dev", "test"):
        raise InputError(f"e-CARE split {name!r}: choose train, dev or test")
    return [dict(d, choices=list(d["choices"])) for d in _split(int(seed))[name]]


def ecare_causal(**metadata: Any):
    """lm-eval ``custom_dataset``: the split as a ``DatasetDict`` (train, validation = dev, test).
    ``references`` (the explanation) and the CEC options ride along for the gen task's reasoning
    pipeline; ``--metadata`` keys other than the CEC options are ignored."""
    import datasets

    from .data import cec_options

    options = cec_options(**metadata)
    out = {}
    for name, key in (("train", "train"), ("dev", "validation"), ("test", "test")):
        rows = split_rows(name)
        for r in rows:
            r.update(references=[r["explanation"]], reference_source=REFERENCE_SOURCE, cec_options=options)
        out[key] = datasets.Dataset.from_list(rows)
    return datasets.DatasetDict(out)


# -- prompts -------------------------------------------------------------------------------------


def ll_prompt(doc: dict) -> str:
    """The log-likelihood context; the choice follows it (after one space without a chat template)."""
    return f"{doc['premise']}\nQuestion: {doc['question']}\nAnswer:"


def gen_prompt(doc: dict) -> str:
    """The generation prompt: the project's causality format, then the numbered options."""
    from .prompts import CAUSAL_FORMAT

    fmt = CAUSAL_FORMAT.format(answer_line="Finally, give the answer on its own line as: The answer is 1 or The answer is 2.")
    options = "\n".join(f"{i}. {c}" for i, c in enumerate(doc["choices"], 1))
    return (f"{fmt}\n\nPremise: {doc['premise']}\nQuestion: {doc['question']} Which option is more plausible?\n"
            f"{options}\n")


# -- reading the choice from a response ----------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def choice(response: str | None, options: list[str], mode: str = "strict") -> str | None:
    """The chosen option ("1" or "2") of a generated response, or None.

    The project's answer rule (:mod:`cec_eval.tasks.answers`) decides where the answer is and
    whether the response is finished. ``strict``: the first final-answer statement, and it must
    state 1 or 2 ("The answer is 2"). ``flexible``: the strict answer; else the last number of the
    answer section when it is 1 or 2; else the one option whose text (case and punctuation
    ignored) appears in the answer section. A truncated response has no choice in either mode."""
    from .answers import answer_span, extract_number, strip_markup, truncated
    from .causality import parse_causal_response

    raw = response or ""
    parsed = parse_causal_response(raw)
    number = extract_number(raw, mode, parsed)
    picks = [str(i) for i in range(1, len(options) + 1)]
    if number in picks:
        return number
    if mode == "strict" or truncated(raw, parsed):
        return None
    span = f" {_norm(strip_markup(answer_span(parsed)))} "
    found = [p for p, o in zip(picks, options) if _norm(o) and f" {_norm(o)} " in span]
    return found[0] if len(found) == 1 else None


class ChoiceFilter(Filter):
    """lm-eval filter: ``{"filter": "answer", "mode", "extracted": "1"|"2"|None}`` per response,
    scored by :func:`cec_eval.tasks.metrics.process_results` (``acc`` against ``doc["answer"]``)."""

    def __init__(self, mode: str = "strict", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in ("strict", "flexible"):
            raise ValueError(f"ChoiceFilter: mode={mode!r} is not strict or flexible")
        self.mode = mode

    def apply(self, resps, docs):
        return [[{"filter": "answer", "target": "choice", "mode": self.mode,
                  "extracted": choice(r if isinstance(r, str) else None, doc["choices"], self.mode)} for r in rs]
                for rs, doc in zip(resps, docs)]
