"""ROUGE-1/2/L through Google's rouge-score: the F-measure per item (``rougeL`` is the
sentence-level LCS, not ``rougeLsum``). With several references the best-scoring one counts
(``RougeScorer.score_multi``)."""
from __future__ import annotations

from .base import Metric, MetricResult, nrefs

ROUGE_TYPES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}


class ROUGEMetric(Metric):
    def __init__(self, rouge_type: str = "rougeL", use_stemmer: bool = False) -> None:
        if rouge_type not in ROUGE_TYPES:
            raise ValueError(f"rouge_type must be one of {sorted(ROUGE_TYPES)}, not {rouge_type!r}")
        from rouge_score import rouge_scorer

        self.name, self.label = rouge_type, ROUGE_TYPES[rouge_type]
        self.rouge_type, self.use_stemmer = rouge_type, use_stemmer
        self._scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=use_stemmer)

    def signature(self, nrefs: str = "1") -> str:
        from importlib.metadata import version

        return (
            f"{self.rouge_type}:F|nrefs:{nrefs}|mref:max|stem:{'porter' if self.use_stemmer else 'no'}"
            f"|tok:rouge-score-default|version:rouge-score-{version('rouge-score')}"
        )

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        # rouge-score's argument order is (target, prediction).
        scores = [
            self._scorer.score_multi(r, p)[self.rouge_type].fmeasure for p, r in zip(predictions, references)
        ]
        return MetricResult(self.name, self.label, [float(s) for s in scores], self.signature(nrefs(references)))
