"""Gold-label filter: drop teacher traces whose final answer disagrees with the dataset's label.

Answers are read with the task pack's own extraction (:mod:`cec_eval.tasks.answers`), so a trace
is kept exactly when the evaluator would score it correct: numbers by mathematical equivalence
(math-verify), option letters by the strict "The answer is (X)" rule falling back to the last
letter. Explanation rows (Climate-FEVER) are generated *given* the label, so they have no answer
of their own to check and pass through.
"""
from __future__ import annotations

from typing import Any


def trace_answer(trace: dict) -> str | None:
    from cec_eval.tasks.answers import extract_letter, extract_number

    text = trace.get("completion") or ""
    if trace.get("kind") == "number":
        return extract_number(text, "strict") or extract_number(text, "flexible")
    if trace.get("kind") == "letter":
        return extract_letter(text, "strict") or extract_letter(text, "flexible")
    return None


def agrees_with_gold(trace: dict) -> bool:
    kind = trace.get("kind")
    gold = trace.get("gold")
    if kind not in ("number", "letter") or gold is None:
        return True
    answer = trace_answer(trace)
    if answer is None:
        return False
    if kind == "letter":
        return answer.upper() == str(gold).upper()
    from cec_eval.tasks.answers import math_equivalent, normalize_number

    return normalize_number(answer) == normalize_number(str(gold)) or math_equivalent(str(gold), answer)


def gold_filter(traces: list[dict]) -> tuple[list[dict], dict[str, Any]]:
    """(kept traces, summary with counts and the dropped ids)."""
    kept, dropped = [], []
    for t in traces:
        (kept if agrees_with_gold(t) else dropped).append(t)
    return kept, {"traces": len(traces), "kept": len(kept), "dropped": len(dropped),
                  "dropped_ids": [t.get("id") for t in dropped][:50]}
