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

from typing import Any, Iterable

from lm_eval.api.filter import Filter

from .analysis import MODES, OUTPUTS, TARGETS, analyse, explanation_text  # noqa: F401 (re-exported)

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
