"""CEC (seed 000, Eq. 2) through :func:`cec_eval.score`: the symmetric score per item by default
(``value`` picks ``forward``/``backward``/``sym``); the signature is the scorer's own."""
from __future__ import annotations

import warnings
from typing import Any

from ..inputs import EmptyPredictionWarning

from .base import Metric, MetricResult


class CECMetric(Metric):
    name = "cec"
    label = "CEC"

    def __init__(self, value: str = "sym", **scorer_kwargs: Any) -> None:
        if value not in ("sym", "forward", "backward"):
            raise ValueError(f"CEC value must be sym, forward or backward, not {value!r}")
        self.value = value
        self.scorer_kwargs = scorer_kwargs

    @property
    def scorer(self) -> Any:
        from .. import get_scorer

        return get_scorer(**self.scorer_kwargs)

    def signature(self, nrefs: str = "1") -> str:
        sig = self.scorer.signature(nrefs=nrefs)
        return f"value:{self.value}|{sig}"

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        refs: list[Any] = [r[0] if len(r) == 1 else r for r in references]
        with warnings.catch_warnings():  # Metric.score warns about empty rows once, for every metric
            warnings.simplefilter("ignore", EmptyPredictionWarning)
            res = self.scorer.score(predictions, refs)
        scores = [float(x) for x in getattr(res, self.value)]
        extra = {k: [float(x) for x in getattr(res, k)] for k in ("forward", "backward", "sym") if k != self.value}
        return MetricResult(self.name, self.label, scores, f"value:{self.value}|{res.signature}", extra=extra, notes=res.notes)
