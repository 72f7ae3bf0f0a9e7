"""What one model reply yields for one view of it: the extracted answer, format compliance, the
reasoning, or a free-text explanation. The one reply-validity rule of the task pack, shared by the
lm-eval filters (:mod:`cec_eval.tasks.filters`), the rewards and any script that grades replies
without lm-eval (it imports nothing from lm-eval)."""
from __future__ import annotations

import re
from typing import Any

from .answers import extract_letter, extract_number, math_candidate, truncated
from .causality import _DEBRIS, _MARKER, parse_causal_response

OUTPUTS = ("answer", "format", "reasoning", "explanation")
MODES = ("strict", "flexible", "math")
TARGETS = ("number", "letter")


def explanation_text(response: str | None) -> str:
    """A free-text explanation with any format markers and chat-template debris removed."""
    text = _MARKER.sub("\n", _DEBRIS.sub("", str(response or "")))
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def analyse(response: Any, output: str, mode: str = "strict", target: str = "number") -> dict:
    """What one response yields for one pipeline (see the module docstring).

    ``format`` reports compliance, the marker variant (``xml``/``qwen``/``mixed``/``none``), how the
    think block opened (``think_form``: ``tagged``/``prefilled``/``none``) and ``truncated`` (the
    response stopped before its reasoning finished: no answer is taken from it in any mode; see
    :mod:`cec_eval.tasks.answers`). ``answer`` reports the extracted value (None: no answer)."""
    text = response if isinstance(response, str) else ("" if response is None else str(response))
    if output == "explanation":
        return {"filter": "explanation", "text": explanation_text(text)}
    parsed = parse_causal_response(text)
    if output == "format":
        return {
            "filter": "format",
            "compliant": parsed.compliant,
            "variant": parsed.variant,
            "has_think": parsed.has_think,
            "has_causality": parsed.has_causality,
            "has_answer": parsed.has_answer,
            "missing_closers": list(parsed.missing_closers),
            "think_form": parsed.think_form,
            "truncated": truncated(text, parsed),
        }
    if output == "reasoning":
        return {"filter": "reasoning", "text": parsed.reasoning}
    # answer
    if mode == "math":
        # math-verify reads the statement line (or the answer section) itself
        extracted = math_candidate(text, parsed)
    elif target == "letter":
        extracted = extract_letter(text, mode, parsed)
    else:
        extracted = extract_number(text, mode, parsed)
    return {"filter": "answer", "target": target, "mode": mode, "extracted": extracted}
