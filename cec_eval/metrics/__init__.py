"""The explanation metrics of Table 1 (seed 000), one module each, all offline:

=========  =====================================================================
name       variant (see each module and the signature it prints)
=========  =====================================================================
bleu       sacrebleu sentence BLEU (effective order, exp smoothing, ``13a+unicode`` tokens), mean;
           corpus BLEU beside it
rouge1/2/L rouge-score F-measure (rougeL = sentence-level LCS), ``unicode`` tokens
meteor     nltk METEOR with WordNet 3.0 synonyms (loud warning + ``syn:none`` without WordNet)
bertscore  bert-score F1 on a local backbone (MiniLM by default), layer and rescaling in the signature
cec        cec_eval.score, symmetric CEC (Eq. 2)
=========  =====================================================================

Every metric takes input by the one contract of :mod:`cec_eval.inputs` (an empty prediction
scores 0 with a warning; no rows, a non-string or an empty reference is an ``InputError``), and
tokenises every script (:mod:`cec_eval.metrics.tokenize`).

>>> from cec_eval.metrics import get_metric
>>> get_metric("rouge1").score(["the cat sat"], ["the cat sat"]).scores
[1.0]
"""
from __future__ import annotations

from typing import Any, Sequence

from .base import Metric, MetricResult, check_inputs

#: Table 1's columns, in the paper's order.
TABLE1 = ("bleu", "rouge1", "rouge2", "rougeL", "meteor", "bertscore", "cec")
LABELS = {
    "bleu": "BLEU",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "meteor": "METEOR",
    "bertscore": "BERTScore",
    "cec": "CEC",
}

__all__ = ["Metric", "MetricResult", "TABLE1", "LABELS", "get_metric", "score_all", "check_inputs"]


def get_metric(name: str, **options: Any) -> Metric:
    """A metric by name (see :data:`TABLE1`); ``options`` go to its constructor."""
    if name == "bleu":
        from .bleu import BLEUMetric

        return BLEUMetric(**options)
    if name in ("rouge1", "rouge2", "rougeL"):
        from .rouge import ROUGEMetric

        return ROUGEMetric(name, **options)
    if name == "meteor":
        from .meteor import METEORMetric

        return METEORMetric(**options)
    if name == "bertscore":
        from .bertscore import BERTScoreMetric

        return BERTScoreMetric(**options)
    if name == "cec":
        from .cec import CECMetric

        return CECMetric(**options)
    raise ValueError(f"unknown metric {name!r}; known: {', '.join(TABLE1)}")


def parse_metrics(spec: str | Sequence[str] | None) -> list[str]:
    """``"bleu,cec"`` or a list → validated names; None or ``"all"`` → :data:`TABLE1`."""
    if spec is None or spec == "all":
        return list(TABLE1)
    names = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
    aliases = {k.lower(): k for k in TABLE1} | {v.lower(): k for k, v in LABELS.items()}
    out = []
    for n in names:
        if not n:
            continue
        key = aliases.get(n.lower())
        if key is None:
            from ..errors import InputError

            raise InputError(f"unknown metric {n!r}; known: {', '.join(TABLE1)}")
        if key not in out:
            out.append(key)
    return out


def score_all(
    predictions: Sequence[str],
    references: Sequence[Any],
    metrics: Sequence[str] | str | None = None,
    options: dict[str, dict[str, Any]] | None = None,
) -> dict[str, MetricResult]:
    """Every requested metric on one system: ``{name: MetricResult}``."""
    options = options or {}
    return {name: get_metric(name, **options.get(name, {})).score(predictions, references) for name in parse_metrics(metrics)}
