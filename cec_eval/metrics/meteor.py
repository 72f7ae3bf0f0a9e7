"""METEOR through nltk (``nltk.translate.meteor_score``): exact, Porter-stem and WordNet-synonym
matching, one alignment, F-mean with alpha/beta/gamma fragmentation penalty. With several
references the best one counts (nltk's ``meteor_score`` does that).

nltk needs pre-tokenised text; its usual ``word_tokenize`` needs punkt data from the network, so
text is tokenised with ``13a+unicode`` (sacrebleu's 13a, plus non-ASCII punctuation split off and
scripts without spaces split per character: :mod:`cec_eval.metrics.tokenize`; ``13a`` and ``none``
are the alternatives) and lower-cased; the tokenizer is named in the signature. Exact matching
works for every script; Porter stemming and WordNet synonyms are English only.

WordNet: see :mod:`cec_eval.metrics.wordnet`. Without it METEOR silently loses its synonym stage
in most setups; here it warns loudly and the signature says ``syn:none``."""
from __future__ import annotations

import logging
import warnings

from .base import Metric, MetricResult, nrefs
from .wordnet import INSTALL_HINT, NoSynonyms, find_wordnet

log = logging.getLogger(__name__)


class WordNetMissingWarning(UserWarning):
    """METEOR ran without its WordNet synonym stage."""


class METEORMetric(Metric):
    name = "meteor"
    label = "METEOR"

    def __init__(
        self,
        alpha: float = 0.9,
        beta: float = 3.0,
        gamma: float = 0.5,
        tokenize: str = "13a+unicode",
        require_wordnet: bool = False,
    ) -> None:
        from nltk.stem.porter import PorterStemmer

        self.alpha, self.beta, self.gamma, self.tokenize = alpha, beta, gamma, tokenize
        self.wordnet = find_wordnet()
        if self.wordnet.reader is None:
            message = (
                f"METEOR: WordNet NOT FOUND ({self.wordnet.source}); running the exact+stem variant "
                f"WITHOUT synonym matching (signature 'syn:none'); scores are lower than standard METEOR. "
                f"To fix: {INSTALL_HINT}."
            )
            if require_wordnet:
                raise RuntimeError(message)
            warnings.warn(message, WordNetMissingWarning, stacklevel=2)
            log.warning(message)
            self.warning = message
        else:
            self.warning = None
        self._stemmer = PorterStemmer()
        self._tok = _tokenizer(tokenize)

    def signature(self, nrefs: str = "1") -> str:
        from importlib.metadata import version

        return (
            f"meteor:nltk|nrefs:{nrefs}|mref:max|tok:{self.tokenize}|case:lc|stem:porter"
            f"|syn:{self.wordnet.variant}|a:{self.alpha:g}|b:{self.beta:g}|g:{self.gamma:g}"
            f"|version:nltk-{version('nltk')}"
        )

    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        from nltk.translate.meteor_score import meteor_score

        wordnet = self.wordnet.reader if self.wordnet.reader is not None else NoSynonyms()
        scores = [
            float(
                meteor_score(
                    [self._tok(x).split() for x in refs],
                    self._tok(pred).split(),
                    stemmer=self._stemmer,
                    wordnet=wordnet,
                    alpha=self.alpha,
                    beta=self.beta,
                    gamma=self.gamma,
                )
            )
            for pred, refs in zip(predictions, references)
        ]
        notes = [self.warning] if self.warning else []
        return MetricResult(self.name, self.label, scores, self.signature(nrefs(references)), notes=notes)


def _tokenizer(name: str):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    from sacrebleu.tokenizers.tokenizer_none import NoneTokenizer

    from .tokenize import Tokenizer13aUnicode

    if name == "13a+unicode":
        return Tokenizer13aUnicode()
    if name == "13a":
        return Tokenizer13a()
    if name == "none":
        return NoneTokenizer()
    raise ValueError(f"METEOR tokenize must be '13a+unicode', '13a' or 'none', not {name!r}")
