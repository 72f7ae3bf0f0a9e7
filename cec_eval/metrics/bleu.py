"""BLEU through sacrebleu.

Per item: *sentence* BLEU with effective order (sacrebleu's recommendation for single sentences,
so short explanations without a 4-gram match are not all zero) and exponential smoothing.
The system score in Table 1 is the mean of those; the *corpus* BLEU (one BLEU over all n-gram
counts, what sacrebleu prints) is reported beside it. Both are on a 0–1 scale (sacrebleu's 0–100
divided by 100), as in the paper's Table 1."""
from __future__ import annotations

from .base import Metric, MetricResult, nrefs


class BLEUMetric(Metric):
    name = "bleu"
    label = "BLEU"

    def __init__(self, tokenize: str = "13a", lowercase: bool = False, smooth_method: str = "exp") -> None:
        from sacrebleu.metrics import BLEU

        self.tokenize, self.lowercase, self.smooth_method = tokenize, lowercase, smooth_method
        self._sentence = BLEU(tokenize=tokenize, lowercase=lowercase, smooth_method=smooth_method, effective_order=True)

    def _corpus(self):
        from sacrebleu.metrics import BLEU

        return BLEU(tokenize=self.tokenize, lowercase=self.lowercase, smooth_method=self.smooth_method)

    def signature(self, nrefs: str = "1") -> str:
        sig = self._sentence.get_signature()
        sig.info["nrefs"] = nrefs
        return f"bleu:sentence-mean+corpus|scale:0-1|{sig.format()}"

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        scores = [self._sentence.sentence_score(p, r).score / 100.0 for p, r in zip(predictions, references)]
        # sacrebleu wants reference *streams* (one list per reference position); rows with fewer
        # references are padded with None, which sacrebleu skips.
        width = max(len(r) for r in references)
        streams = [[r[k] if k < len(r) else None for r in references] for k in range(width)]
        corpus = self._corpus().corpus_score(predictions, streams).score / 100.0
        return MetricResult(self.name, self.label, scores, self.signature(nrefs(references)), corpus=corpus)
