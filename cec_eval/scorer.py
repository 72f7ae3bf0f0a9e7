"""The CEC scorer: split → embed (unique sentences, one batched pass, cached) → match (cosine
matrix) → aggregate (Eq. 2) → optional rescaling, alignment report and signature.

>>> from cec_eval.testing import BagOfWordsEncoder
>>> scorer = CECScorer(model=BagOfWordsEncoder())
>>> result = scorer.score(["CO2 traps heat. So it warms."], ["CO2 traps heat."])
>>> [round(x, 4) for x in (result.forward[0], result.backward[0], result.sym[0])]
[0.5, 1.0, 0.75]
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from tqdm.auto import tqdm

from . import aggregate, baseline
from .align import Alignment, align
from .embed import Embedder, EncoderLike
from .errors import InputError
from .inputs import check_pairs, empty_note, nrefs, warn_empty
from .matchers import Matcher, get_matcher
from .signature import Signature
from .split import SplitterLike, get_splitter

DIRECTIONS = ("forward", "backward", "sym")


@dataclass
class CECResult:
    """Per-instance and corpus CEC with the signature that produced them."""

    forward: list[float]
    backward: list[float]
    sym: list[float]
    signature: str
    reference_index: list[int] = field(default_factory=list)
    empty_predictions: list[int] = field(default_factory=list)
    #: per row: sentences (of the prediction and its references) longer than the encoder's
    #: ``max_seq_length`` in word pieces, which it truncated before embedding (0s for an encoder
    #: without a tokenizer, whose limit is unknown)
    truncated: list[int] = field(default_factory=list)
    max_length: int | None = None  # the encoder's limit, for the summary
    alignments: list[Alignment] | None = None
    raw: dict[str, list[float]] | None = None  # un-rescaled values when rescaling is on

    @property
    def mean(self) -> dict[str, float]:
        return {d: float(np.mean(getattr(self, d))) if getattr(self, d) else float("nan") for d in DIRECTIONS}

    @property
    def score(self) -> float:
        """Corpus CEC_sym (the paper's number)."""
        return self.mean["sym"]

    def __len__(self) -> int:
        return len(self.sym)

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "signature": self.signature,
            "n": len(self),
            "mean": self.mean,
            "empty_predictions": self.empty_predictions,
            "truncated": self.truncated,
            "scores": [
                {"forward": f, "backward": b, "sym": s, "reference_index": r}
                for f, b, s, r in zip(self.forward, self.backward, self.sym, self.reference_index)
            ],
        }
        if self.raw is not None:
            out["raw_mean"] = {d: float(np.mean(v)) for d, v in self.raw.items()}
        if details and self.alignments is not None:
            out["alignments"] = [a.to_dict() for a in self.alignments]
        return out

    @property
    def notes(self) -> list[str]:
        """One line per thing that did not go as written: empty predictions, truncated sentences."""
        out = []
        if self.empty_predictions:
            out.append(empty_note("CEC", self.empty_predictions, len(self)))
        if any(self.truncated):
            rows = [i for i, k in enumerate(self.truncated) if k]
            out.append(truncation_note(sum(self.truncated), rows, self.max_length))
        return out

    def summary(self) -> str:
        """The corpus scores, n, the warnings and the signature, one per line (what the CLI prints)."""
        m = self.mean
        lines = [
            f"CEC_sym = {m['sym']:.4f} (forward {m['forward']:.4f}, backward {m['backward']:.4f}, n={len(self)})",
            *(f"warning: {w}" for w in self.notes),
            f"signature: {self.signature}",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        m = self.mean
        warn = "".join(f" | warning: {w}" for w in self.notes)
        return (
            f"CEC_sym = {m['sym']:.4f} (forward {m['forward']:.4f}, backward {m['backward']:.4f}, "
            f"n={len(self)}){warn} | {self.signature}"
        )


class TruncationWarning(UserWarning):
    """Some sentences were longer than the encoder's limit and were truncated before embedding."""


def truncation_note(n_sentences: int, rows: list[int], limit: int | None) -> str:
    shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
    return (
        f"CEC: {n_sentences} sentence(s) in {len(rows)} row(s) (rows {shown}) are longer than the encoder's "
        f"{limit} word pieces and were truncated before embedding; text past the limit does not count"
    )


class CECScorer:
    """Holds the embedding model, the splitter and the embedding cache, so references scored
    against several systems are embedded once.

    Args:
        model: None (all-MiniLM-L6-v2, shipped), a local sentence-transformers folder, a loaded
            ``SentenceTransformer``, or a callable ``list[str] -> (n, d) array``.
        splitter: a backend name (``nupunkt`` default, ``pysbd``, ``syntok``, ``regex``, ``none``), with
            an optional line mode suffix (``+smart`` default, ``+lines``, ``+none``), a
            :class:`~cec_eval.split.Splitter` or a callable.
        multi_ref: with several references per prediction, ``"max-sym"`` (default: the reference
            with the best CEC_sym) or ``"mean"`` (each direction averaged over the references).
        rescale_with_baseline: report (x − b)/(1 − b) instead of raw CEC (raw is the default and
            is what the paper reports).
        baseline_file: a JSON of baselines from ``cec-eval baseline`` (default: the shipped one).
        variant: the matcher: ``"plain"`` (the paper's cosine, default), ``"causal"``
            (direction-aware), or a :class:`~cec_eval.matchers.Matcher` object.
        aggregation: how CEC_sym combines forward and backward: ``"mean"`` (Eq. 2) or ``"f<β>"``
            (recall-weighted harmonic mean, e.g. ``"f3"``); None takes the variant's default
            (``mean`` for both built-in variants; a matcher's ``default_aggregation``).
        backend: the encoder's runtime: ``"torch"`` (fp32, default), ``"onnx"`` (ONNX Runtime,
            fp32) or ``"onnx-int8"`` (dynamic int8); see :mod:`cec_eval.backends`. A non-torch
            backend is named in the signature (``emb:all-MiniLM-L6-v2@<hash>+onnx-int8``).
        cache_dir: a folder for the persistent embedding cache shared across runs and processes
            (:mod:`cec_eval.embedding_cache`); None = ``$CEC_EVAL_EMBED_CACHE`` if set, else none.
    """

    def __init__(
        self,
        model: EncoderLike = None,
        splitter: SplitterLike = None,
        *,
        variant: "str | Matcher | None" = None,
        aggregation: str | None = None,
        multi_ref: str = "max-sym",
        batch_size: int = 64,
        device: str | None = None,
        rescale_with_baseline: bool = False,
        baseline_file: str | Path | None = None,
        show_progress: bool | None = None,
        backend: str | None = None,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.splitter = get_splitter(splitter)
        self.matcher = get_matcher(variant)
        self.aggregation = aggregate.check_rule(aggregation or getattr(self.matcher, "default_aggregation", "mean"))
        if multi_ref not in aggregate.MULTI_REF_RULES:
            raise ValueError(f"unknown multi-reference rule {multi_ref!r}; choose from {aggregate.MULTI_REF_RULES}")
        self.multi_ref = multi_ref
        self.embedder = Embedder(model, device=device, batch_size=batch_size, show_progress=show_progress,
                                 backend=backend, cache_dir=cache_dir)
        self.rescale_with_baseline = rescale_with_baseline
        self.baseline_file = baseline_file
        self.show_progress = show_progress
        self._baseline: dict | None = None

    # -- parts -------------------------------------------------------------------------------
    def split(self, text: str) -> list[str]:
        return self.splitter(text)

    @property
    def baseline(self) -> dict:
        if self._baseline is None:
            self._baseline = baseline.lookup(self, self.baseline_file)
        return self._baseline

    def signature(self, nrefs: str = "1", rescale: bool | None = None) -> Signature:
        rescale = self.rescale_with_baseline if rescale is None else rescale
        b = self.baseline if rescale else None
        return Signature(
            variant=self.matcher.name,
            aggregation=self.aggregation,
            multi_ref=self.multi_ref,
            embedding=self.embedder.label,
            splitter=self.splitter.name,
            nrefs=nrefs,
            rescale="no" if not b else "b=" + "/".join(f"{b[d]:.4f}" for d in DIRECTIONS),
        )

    def clear_cache(self) -> None:
        """Drops the in-memory caches (the embedder's vectors and truncation flags, and the
        matcher's per-sentence work if it has a ``clear_cache``), so memory stops growing with
        the sentences seen; the persistent cache (``cache_dir``) keeps its vectors."""
        self.embedder.clear_cache()
        clear = getattr(self.matcher, "clear_cache", None)
        if callable(clear):
            clear()

    # -- scoring -----------------------------------------------------------------------------
    def score(
        self,
        predictions: Sequence[str],
        references: Sequence[str] | Sequence[Sequence[str]],
        *,
        details: bool = False,
        rescale: bool | None = None,
    ) -> CECResult:
        """CEC of each prediction against its reference(s).

        Args:
            predictions: n generated explanations (str).
            references: n rows, each a str or a list of str (rows may mix both); with several
                references the ``multi_ref`` rule combines them.
            details: also return the alignment report of each row.
            rescale: override ``rescale_with_baseline`` for this call.

        Returns:
            :class:`CECResult`: per-row forward, backward and sym in [-1, 1] (raw cosine means;
            rescaled values are (x − b)/(1 − b)), the chosen reference, the empty rows and the
            sentences the encoder truncated per row.

        The input contract is :mod:`cec_eval.inputs`: an empty prediction (no sentence with a
        letter, digit or symbol) scores exactly 0 in every direction, raw and rescaled, is listed
        in ``empty_predictions`` and warned about; an empty corpus, a non-string or an empty
        reference is an :class:`InputError` naming the row.
        """
        preds, refs = check_pairs(predictions, references)
        rescale = self.rescale_with_baseline if rescale is None else rescale
        show = self.show_progress if self.show_progress is not None else len(preds) >= 2000
        pred_sents = [self.split(p) for p in tqdm(preds, desc="split", disable=not show, leave=False)]
        ref_sents = []
        for i, group in enumerate(refs):
            split_group = [self.split(r) for r in group]
            for k, sents in enumerate(split_group):
                if not sents:
                    where = f"references[{i}]" + (f"[{k}]" if len(group) > 1 else "")
                    raise InputError(f"{where}: the splitter {self.splitter.name} returned no sentence to compare against")
            ref_sents.append(split_group)

        # One embedding pass over every unique sentence of the call (the embedder skips cached ones).
        all_sents = [*pred_sents, *(sents for group in ref_sents for sents in group)]
        unique = list(dict.fromkeys(s for sents in all_sents for s in sents))
        matrix = self.embedder.encode(unique)
        index = {s: k for k, s in enumerate(unique)}
        self.matcher.prepare(unique, self.embedder)
        prepare_pairs = getattr(self.matcher, "prepare_pairs", None)
        if prepare_pairs is not None:  # optional: batch work per compared pair of texts
            prepare_pairs([(g_sents, a_sents) for g_sents, groups in zip(pred_sents, ref_sents) for a_sents in groups])

        def vectors(sents: list[str]) -> np.ndarray:
            return matrix[[index[s] for s in sents]] if sents else np.zeros((0, matrix.shape[1]), np.float32)

        cut = dict(zip(unique, self.embedder.truncated(unique)))
        truncated = [
            sum(cut[x] for x in g_sents) + sum(cut[x] for sents in groups for x in sents)
            for g_sents, groups in zip(pred_sents, ref_sents)
        ]
        fwd, bwd, sym, chosen, empty, alignments = [], [], [], [], [], []
        for i, (g_sents, groups) in enumerate(zip(pred_sents, ref_sents)):
            if not g_sents:
                empty.append(i)
            g = vectors(g_sents)
            sims = [self.matcher.similarity(g_sents, a_sents, g, vectors(a_sents)) for a_sents in groups]
            per_ref = [aggregate.cec(s, self.aggregation) for s in sims]
            k = aggregate.best_reference(per_ref)  # also the one the alignment report shows
            d = per_ref[k] if self.multi_ref == "max-sym" else aggregate.mean_over_references(per_ref, self.aggregation)
            fwd.append(d.forward)
            bwd.append(d.backward)
            sym.append(d.sym)
            chosen.append(k)
            if details:
                alignments.append(align(sims[k], g_sents, groups[k], k))

        result = CECResult(
            fwd, bwd, sym,
            signature=self.signature(nrefs(refs), rescale).format(),
            reference_index=chosen,
            empty_predictions=empty,
            truncated=truncated,
            max_length=self.embedder.max_length,
            alignments=alignments if details else None,
        )
        if rescale:
            b = self.baseline
            result.raw = {d: list(getattr(result, d)) for d in DIRECTIONS}
            skip = set(empty)  # an empty prediction is 0 on every scale (see cec_eval.inputs)
            for d in DIRECTIONS:
                setattr(result, d, [0.0 if i in skip else aggregate.rescale(x, b[d]) for i, x in enumerate(getattr(result, d))])
        warn_empty("CEC", empty, len(preds))
        if any(truncated):
            warnings.warn(result.notes[-1], TruncationWarning, stacklevel=2)
        return result


_SCORERS: dict[tuple, CECScorer] = {}


def _key(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None), Path)) else id(value)


def get_scorer(**kwargs: Any) -> CECScorer:
    """A process-wide scorer per configuration: the model loads once, and its embedding cache is
    shared by every caller (CLI, evaluate module, lm-eval aggregation)."""
    key = tuple(sorted((k, _key(v)) for k, v in kwargs.items()))
    if key not in _SCORERS:
        _SCORERS[key] = CECScorer(**kwargs)
    return _SCORERS[key]


def score(predictions: Sequence[str], references: Sequence[Any], *, details: bool = False, **kwargs: Any) -> CECResult:
    """``get_scorer(**kwargs).score(predictions, references)``."""
    return get_scorer(**kwargs).score(predictions, references, details=details)
