"""ROUGE-1/2/L through Google's rouge-score: the F-measure per item (``rougeL`` is the
sentence-level LCS, not ``rougeLsum``). With several references the best-scoring one counts
(``RougeScorer.score_multi``).

Tokenisation (named in the signature as ``tok:``): ``unicode`` (default) keeps every script
(:class:`~cec_eval.metrics.tokenize.UnicodeRougeTokenizer`; identical to rouge-score's own on ASCII
text); ``rouge-score`` is the library's default, which keeps only ``[a-z0-9]`` and so scores
non-Latin text 0 — it warns when it drops letters."""
from __future__ import annotations

import warnings

from .base import Metric, MetricResult, nrefs
from .tokenize import ROUGE_TOKENIZERS, UnicodeRougeTokenizer

ROUGE_TYPES = {"rouge1": "ROUGE-1", "rouge2": "ROUGE-2", "rougeL": "ROUGE-L"}


class ScriptDroppedWarning(UserWarning):
    """A tokenizer dropped letters of a non-Latin script (the texts score as if they were absent)."""


class ROUGEMetric(Metric):
    def __init__(self, rouge_type: str = "rougeL", use_stemmer: bool = False, tokenize: str = "unicode") -> None:
        if rouge_type not in ROUGE_TYPES:
            raise ValueError(f"rouge_type must be one of {sorted(ROUGE_TYPES)}, not {rouge_type!r}")
        if tokenize not in ROUGE_TOKENIZERS:
            raise ValueError(f"ROUGE tokenize must be one of {ROUGE_TOKENIZERS}, not {tokenize!r}")
        from rouge_score import rouge_scorer

        self.name, self.label = rouge_type, ROUGE_TYPES[rouge_type]
        self.rouge_type, self.use_stemmer, self.tokenize = rouge_type, use_stemmer, tokenize
        tokenizer = UnicodeRougeTokenizer(use_stemmer) if tokenize == "unicode" else None
        self._scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=use_stemmer, tokenizer=tokenizer)

    def signature(self, nrefs: str = "1") -> str:
        from importlib.metadata import version

        tok = "unicode" if self.tokenize == "unicode" else "rouge-score-default"
        return (
            f"{self.rouge_type}:F|nrefs:{nrefs}|mref:max|stem:{'porter' if self.use_stemmer else 'no'}"
            f"|tok:{tok}|version:rouge-score-{version('rouge-score')}"
        )

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        # rouge-score's argument order is (target, prediction).
        scores = [
            self._scorer.score_multi(r, p)[self.rouge_type].fmeasure for p, r in zip(predictions, references)
        ]
        notes = []
        if self.tokenize == "rouge-score":
            texts = [*predictions, *(x for refs in references for x in refs)]
            if any(ch.isalpha() and not ch.isascii() for t in texts for ch in t):
                notes.append(
                    f"{self.label}: tokenize='rouge-score' keeps only [a-z0-9]; letters outside ASCII were "
                    "dropped, so non-Latin text scores as if absent (use tokenize='unicode')"
                )
                warnings.warn(notes[-1], ScriptDroppedWarning, stacklevel=3)
        return MetricResult(self.name, self.label, [float(s) for s in scores], self.signature(nrefs(references)), notes=notes)
