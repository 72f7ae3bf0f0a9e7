"""lm-eval filters of the task pack.

Each filter pipeline of a task ends in one of these, and each emits a small dict saying what it
extracted (``{"filter": "answer", ...}``, ``{"filter": "format", ...}``, ...). lm-eval calls
``process_results`` once per pipeline with no word of which pipeline it is, so the dict's
``filter`` field lets :mod:`cec_eval.tasks.metrics` report exact match under the answer
pipelines, compliance under the format pipeline and CEC under the reasoning pipeline, instead
of every metric under every filter. Dicts also read well in ``--log_samples`` output.

The YAML files reference these classes with ``!function cec_eval.tasks.filters.<Class>``, which
lm-eval's ``get_filter`` accepts as a callable: nothing is added to lm-eval's filter registry, so
re-imports cannot collide there. :func:`register` adds registry names for users who prefer
``function: cec_causal`` in their own YAML; it is idempotent.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from lm_eval.api.filter import Filter

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


class CausalFilter(Filter):
    """Parse every response in the causality format and emit one pipeline's view of it.

    Args:
        output: ``answer`` | ``format`` | ``reasoning`` | ``explanation``
        mode: for answers, ``strict`` | ``flexible`` | ``math``
        target: for answers, ``number`` (GSM8K) | ``letter`` (GPQA)
    """

    def __init__(self, output: str = "answer", mode: str = "strict", target: str = "number", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output not in OUTPUTS:
            raise ValueError(f"CausalFilter: output={output!r} is not one of {OUTPUTS}")
        if mode not in MODES:
            raise ValueError(f"CausalFilter: mode={mode!r} is not one of {MODES}")
        if target not in TARGETS:
            raise ValueError(f"CausalFilter: target={target!r} is not one of {TARGETS}")
        if mode == "math" and target != "number":
            raise ValueError("CausalFilter: mode='math' needs target='number'")
        self.output, self.mode, self.target = output, mode, target

    def apply(self, resps: Iterable[list], docs: Iterable[dict]) -> list[list[dict]]:
        return [[analyse(r, self.output, self.mode, self.target) for r in rs] for rs in resps]


def register() -> None:
    """Register ``cec_causal`` (and ``cec_judge``) in lm-eval's filter registry, once.

    A second import of this module under another name would create new class objects that the
    registry refuses as a conflicting alias, so an existing entry is left alone."""
    from lm_eval.api.registry import filter_registry

    from .judge import JudgeFilter

    for name, cls in (("cec_causal", CausalFilter), ("cec_judge", JudgeFilter)):
        if name not in filter_registry:
            filter_registry.register(name)(cls)
