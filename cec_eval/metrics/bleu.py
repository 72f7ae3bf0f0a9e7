"""BLEU through sacrebleu: the mean of per-item sentence BLEU (effective order, exponential
smoothing, so short explanations do not collapse to 0) and sacrebleu's corpus BLEU over all items
beside it. Both are on a 0–1 scale (sacrebleu's 0–100 divided by 100), as in the paper's Table 1.

Tokenisation (``tok:`` in the signature): ``13a+unicode`` (default; sacrebleu's ``13a`` on ASCII
text, plus non-ASCII punctuation split off and scripts without spaces split per character, see
:mod:`cec_eval.metrics.tokenize`), or any sacrebleu tokenizer name (``13a``, ``intl``, ``zh``,
``char``, ...; ``flores200``/``spm`` need a model download and do not work offline)."""
from __future__ import annotations

from .base import Metric, MetricResult, nrefs
from .tokenize import BLEU_TOKENIZERS, Tokenizer13aUnicode


class BLEUMetric(Metric):
    name = "bleu"
    label = "BLEU"

    def __init__(self, tokenize: str = "13a+unicode", lowercase: bool = False, smooth_method: str = "exp") -> None:
        from sacrebleu.metrics import BLEU

        self.tokenize, self.lowercase, self.smooth_method = tokenize, lowercase, smooth_method
        # our tokenizers run before sacrebleu, which then only splits on spaces ("none")
        self._pre = Tokenizer13aUnicode() if tokenize in BLEU_TOKENIZERS else None
        self._sacrebleu_tok = "none" if self._pre else tokenize
        self._sentence = BLEU(tokenize=self._sacrebleu_tok, lowercase=lowercase, smooth_method=smooth_method, effective_order=True)

    def _corpus(self):
        from sacrebleu.metrics import BLEU

        return BLEU(tokenize=self._sacrebleu_tok, lowercase=self.lowercase, smooth_method=self.smooth_method)

    def signature(self, nrefs: str = "1") -> str:
        # sacrebleu only builds a signature after scoring (it needs num_refs); ours names nrefs itself
        sig = self._sentence._SIGNATURE_TYPE({**vars(self._sentence), "num_refs": 1})
        sig.info["nrefs"] = nrefs
        sig.info["tok"] = self.tokenize
        return f"bleu:sentence-mean+corpus|scale:0-1|{sig.format()}"

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        if self._pre is not None:
            predictions = [self._pre(p) for p in predictions]
            references = [[self._pre(x) for x in r] for r in references]
        # min(1, .): sacrebleu's 100 × exp(log ...) can come out as 100.00000000000004
        scores = [min(1.0, self._sentence.sentence_score(p, r).score / 100.0) for p, r in zip(predictions, references)]
        # sacrebleu wants reference *streams* (one list per reference position); rows with fewer
        # references are padded with None, which sacrebleu skips.
        width = max(len(r) for r in references)
        streams = [[r[k] if k < len(r) else None for r in references] for k in range(width)]
        corpus = min(1.0, self._corpus().corpus_score(predictions, streams).score / 100.0)
        return MetricResult(self.name, self.label, scores, self.signature(nrefs(references)), corpus=corpus)
