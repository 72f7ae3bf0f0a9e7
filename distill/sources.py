"""Teacher inputs ("items") built from the datasets shipped with cec_eval, or from a user's JSONL.

An item is a dict::

    {"id": "climate_fever:12", "source": "climate_fever",
     "kind": "explanation" | "number" | "letter",       # how its answer is checked (filter step)
     "prompt": "...",           # the student's prompt: the task pack's own doc_to_text
     "teacher_messages": [...], # what an LLM teacher is sent
     "gold": "SUPPORTS" | "72" | "B",
     "rationale": "..." | None, # the dataset's own explanation (the offline teacher)
     "question": "...", "options": [...] | None}

Student prompts come from :mod:`cec_eval.tasks.prompts`, so a distilled checkpoint is trained on
exactly the prompt the task pack evaluates it with. Climate-FEVER items skip the first ``offset``
claims: ``climate_fever_cec`` evaluates claims in file order, so with ``offset`` >= the eval
``--limit`` no evaluated claim was seen in training.
"""
from __future__ import annotations

import random
from typing import Any, Iterable

from cec_eval.errors import InputError

from . import prompts as P

SOURCES = ("climate_fever", "gsm8k", "gpqa", "copa", "ecare", "jsonl")
LETTERS = "ABCDEFGH"


def _cf_items(labels: tuple[str, ...]) -> Iterable[dict]:
    from cec_eval.resources import read_jsonl
    from cec_eval.tasks.data import evidence_reference
    from cec_eval.tasks.prompts import climate_fever_prompt

    for row in read_jsonl("climate_fever"):
        if row["claim_label"] not in labels:
            continue
        doc = {"claim": row["claim"], "claim_label": row["claim_label"],
               "evidences": [e["evidence"] for e in row["evidences"]]}
        prompt = climate_fever_prompt(doc)
        yield {
            "id": f"climate_fever:{row['claim_id']}", "claim_id": str(row["claim_id"]), "source": "climate_fever",
            "kind": "explanation", "prompt": prompt,
            "teacher_messages": [{"role": "system", "content": P.CEC_TEACHER_SYSTEM},
                                 {"role": "user", "content": prompt}],
            "gold": row["claim_label"], "rationale": evidence_reference(row),
            "question": row["claim"], "options": None,
        }


def _wrap_trace(reasoning: str, answer_line: str) -> str:
    """A dataset rationale in the Claire trace format (seed 002 §5.3.1), so the offline teacher
    produces format-compliant completions: the human reasoning is the causal world model."""
    return f"<think>\n<causality>\n{reasoning.strip()}\n</causality>\n</think>\n{answer_line}"


def _gsm8k_items(split: str) -> Iterable[dict]:
    from cec_eval.resources import read_jsonl
    from cec_eval.tasks.data import gsm8k_gold, gsm8k_solution
    from cec_eval.tasks.prompts import gsm8k_prompt

    for i, row in enumerate(read_jsonl(f"gsm8k_{split}")):
        gold = gsm8k_gold(row["answer"])
        yield {
            "id": f"gsm8k_{split}:{i}", "source": "gsm8k", "kind": "number",
            "prompt": gsm8k_prompt({"question": row["question"]}),
            "teacher_messages": [{"role": "system", "content": P.CLAIRE_TEACHER_SYSTEM},
                                 {"role": "user", "content": row["question"]}],
            "gold": gold, "rationale": _wrap_trace(gsm8k_solution(row["answer"]), f"The answer is {gold}."),
            "question": row["question"], "options": None,
        }


def _gpqa_items(subset: str) -> Iterable[dict]:
    """In memory only (see :mod:`distill.records`)."""
    from cec_eval.tasks.data import gpqa
    from cec_eval.tasks.prompts import gpqa_prompt

    for doc in gpqa(subset=subset)["test"]:
        options = "\n".join(f"({L}) {t}" for L, t in zip(LETTERS, doc["choices"]))
        yield {
            "id": f"gpqa_{subset}:{doc['id']}", "source": f"gpqa:{subset}", "kind": "letter",
            "prompt": gpqa_prompt(doc),
            "teacher_messages": [{"role": "system", "content": P.CLAIRE_TEACHER_SYSTEM},
                                 {"role": "user", "content": f"{doc['question']}\n\nOptions:\n{options}"}],
            "gold": doc["answer"], "rationale": _wrap_trace(doc["references"][0], f"The answer is ({doc['answer']})."),
            "question": doc["question"], "options": list(doc["choices"]),
        }


def _mc_item(source: str, idx: str, question: str, options: list[str], gold: int, rationale: str | None,
             stem: str | None = None) -> dict:
    letter = LETTERS[gold]
    opts = "\n".join(f"({L}) {t}" for L, t in zip(LETTERS, options))
    prompt = f"Question: {question}\nChoices:\n{opts}\n"
    return {
        "id": f"{source}:{idx}", "source": source, "kind": "letter", "prompt": prompt,
        "teacher_messages": [{"role": "system", "content": P.CLAIRE_TEACHER_SYSTEM},
                             {"role": "user", "content": prompt}],
        "gold": letter,
        "rationale": _wrap_trace(rationale, f"The answer is ({letter}).") if rationale else None,
        "question": question, "options": options, "stem": stem,
    }


def _copa_items() -> Iterable[dict]:
    """COPA-SSE dev: premise + cause/effect question, two alternatives, the best-rated human explanation."""
    from cec_eval.resources import read_jsonl

    for row in read_jsonl("copa_sse_dev"):
        ask = "What was the cause of this?" if row["asks-for"] == "cause" else "What happened as a result?"
        expl = max(row.get("human-explanations") or [{}], key=lambda e: e.get("filtered-avg-rating", 0))
        yield _mc_item("copa", row["id"], f"{row['p']} {ask}", [row["a1"], row["a2"]],
                       int(row["most-plausible-alternative"]) - 1, expl.get("text"), stem=ask)


def _ecare_items() -> Iterable[dict]:
    """e-CARE causal reasoning (train), with its conceptual explanation where the pair matches."""
    from cec_eval.resources import read_jsonl

    expl = {r["index"]: r["conceptual_explanation"] for r in read_jsonl("ecare_explanation_generation_train")}
    for row in read_jsonl("ecare_causal_reasoning_train"):
        ask = "What was the cause of this?" if row["ask-for"] == "cause" else "What happened as a result?"
        yield _mc_item("ecare", row["index"], f"{row['premise']} {ask}", [row["hypothesis1"], row["hypothesis2"]],
                       int(row["label"]), expl.get(row["index"]), stem=ask)


def _jsonl_items(path: str) -> Iterable[dict]:
    """A user's file: ``prompt`` (or ``question``), optional ``options``, ``answer``/``gold``, ``rationale``."""
    from .records import read_jsonl

    for i, row in enumerate(read_jsonl(path)):
        question = row.get("prompt") or row.get("question")
        if not isinstance(question, str) or not question.strip():
            raise InputError(f"{path}: row {i} needs a non-empty 'prompt' or 'question'")
        options = row.get("options")
        gold = row.get("gold", row.get("answer"))
        if options is not None:
            if not isinstance(options, list) or len(options) < 2:
                raise InputError(f"{path}: row {i}: 'options' must be a list of at least 2 strings")
            if isinstance(gold, str) and gold in options:
                gold = options.index(gold)
            if isinstance(gold, str) and len(gold) == 1 and gold.upper() in LETTERS:
                gold = LETTERS.index(gold.upper())
            if not isinstance(gold, int) or not 0 <= gold < len(options):
                raise InputError(f"{path}: row {i}: 'answer' must name one of the options (index, letter or text)")
            yield _mc_item("jsonl", str(row.get("id", i)), question, options, gold, row.get("rationale"))
            continue
        yield {
            "id": f"jsonl:{row.get('id', i)}", "source": "jsonl", "kind": "number" if gold is not None else "explanation",
            "prompt": question,
            "teacher_messages": [{"role": "system", "content": P.CLAIRE_TEACHER_SYSTEM},
                                 {"role": "user", "content": question}],
            "gold": None if gold is None else str(gold), "rationale": row.get("rationale"),
            "question": question, "options": None,
        }


def load_items(source: str, limit: int | None = None, offset: int = 0, seed: int | None = None,
               labels: Iterable[str] = ("SUPPORTS", "REFUTES"), split: str = "train",
               subset: str = "diamond", path: str | None = None) -> list[dict[str, Any]]:
    """Items of ``source`` after skipping ``offset`` and (optionally) shuffling with ``seed``,
    then the first ``limit``."""
    if source == "climate_fever":
        it = _cf_items(tuple(l.upper() for l in labels))
    elif source == "gsm8k":
        if split not in ("train", "test"):
            raise InputError(f"gsm8k split {split!r}: choose train or test")
        it = _gsm8k_items(split)
    elif source == "gpqa":
        it = _gpqa_items(subset)
    elif source == "copa":
        it = _copa_items()
    elif source == "ecare":
        it = _ecare_items()
    elif source == "jsonl":
        if not path:
            raise InputError("source 'jsonl' needs a path (--input)")
        it = _jsonl_items(path)
    else:
        raise InputError(f"unknown source {source!r}; choose from {list(SOURCES)}")
    items = list(it)[offset:]
    if seed is not None:
        random.Random(seed).shuffle(items)
    return items[:limit] if limit is not None else items
