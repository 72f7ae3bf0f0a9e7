"""Matching, the swappable middle part of CEC (split → **match** → aggregate).

A matcher turns the sentences of one generated and one reference explanation into an (n × m)
similarity matrix; Eq. 2's aggregation then takes row and column maxima. ``plain`` is the paper's
cosine similarity of sentence embeddings. Other variants register here by name (``causal`` is the
direction-aware variant in :mod:`cec_eval.causal`) and are selected with ``CECScorer(variant=...)``,
``cec-eval score --variant``, ``evaluate.load("cec").compute(..., variant=...)`` and the lm-eval
tasks; the name (and parameters) go into the signature.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol, Sequence, runtime_checkable

import numpy as np

from .align import cosine_matrix

if TYPE_CHECKING:  # pragma: no cover
    from .embed import Embedder


@runtime_checkable
class Matcher(Protocol):
    #: what the signature records, e.g. "plain" or "causal(penalty=1.0)"
    name: str

    def prepare(self, sentences: Sequence[str], embedder: "Embedder") -> None:
        """Called once per ``score()`` with every unique sentence of the call (predictions and
        references), after they were embedded: batch any extra work (parsing, span embeddings)."""

    # optional: ``prepare_pairs(pairs)``, called after :meth:`prepare` with every (generated
    # sentences, reference sentences) pair the call will compare, to batch work per pair of texts
    # (the causal variant's learned direction check)

    def similarity(
        self, generated: Sequence[str], reference: Sequence[str], g: np.ndarray, a: np.ndarray
    ) -> np.ndarray:
        """(n × m) similarities in [-1, 1]; ``g``/``a`` are the L2-normalised sentence embeddings."""


class CosineMatcher:
    """The paper's matcher: cosine similarity of sentence embeddings."""

    name = "plain"

    def prepare(self, sentences: Sequence[str], embedder: "Embedder") -> None:
        pass

    def similarity(self, generated, reference, g, a) -> np.ndarray:
        return cosine_matrix(g, a)


#: variant name -> Matcher class, or "module:attr" imported on first use
VARIANTS: dict[str, object] = {
    "plain": CosineMatcher,
    "causal": "cec_eval.causal:CausalMatcher",
}


def get_matcher(variant: "str | Matcher | None" = None) -> Matcher:
    if variant is None:
        variant = "plain"
    if not isinstance(variant, str):
        if not isinstance(variant, Matcher):
            raise TypeError("variant must be a name or an object with name, prepare() and similarity()")
        return variant
    if variant not in VARIANTS:
        raise ValueError(f"unknown CEC variant {variant!r}; choose from {sorted(VARIANTS)}")
    target = VARIANTS[variant]
    if isinstance(target, str):
        module, attr = target.split(":")
        target = getattr(importlib.import_module(module), attr)
    return target()
