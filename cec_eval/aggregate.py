"""Aggregation: Eq. 2 of the paper (seed 000 §3.2, Algorithm 1).

forward  = 1/n Σ_i max_j cos(g_i, a_j)   (each generated sentence's best reference match)
backward = 1/m Σ_j max_i cos(a_j, g_i)   (each reference sentence's best generated match)
sym      = (forward + backward) / 2
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: how several references are combined (documented in the README and the metric card):
#: "max-sym" — the best reference by CEC_sym (default); "mean" — every direction averaged over the
#: references (a consensus rule: agrees better with human ratings on COPA-SSE, docs/causal_cec.md)
MULTI_REF_RULES = ("max-sym", "mean")


class Directions(NamedTuple):
    forward: float
    backward: float
    sym: float


EMPTY = Directions(0.0, 0.0, 0.0)


def cec(sim: np.ndarray) -> Directions:
    """The three CEC scores of one (n × m) cosine matrix. An empty generation (n = 0) has no
    sentence to match and scores 0 in every direction (it is counted, not dropped)."""
    if sim.shape[0] == 0:
        return EMPTY
    forward = float(sim.max(axis=1).mean())
    backward = float(sim.max(axis=0).mean())
    return Directions(forward, backward, (forward + backward) / 2)


def best_reference(per_reference: list[Directions]) -> int:
    """Multi-reference rule: the reference with the highest CEC_sym (first on ties); forward and
    backward are reported for that same reference, so sym = (forward + backward) / 2 holds."""
    return int(np.argmax([d.sym for d in per_reference]))


def mean_over_references(per_reference: list[Directions]) -> Directions:
    """Multi-reference rule ``mean``: each direction averaged over the references (sym stays
    (forward + backward) / 2 because the mean is linear)."""
    return Directions(*(float(np.mean(values)) for values in zip(*per_reference)))


def rescale(value: float, baseline: float) -> float:
    """bert_score's baseline rescaling: (x − b) / (1 − b); 0 ≈ an unrelated pair, 1 = identical."""
    return (value - baseline) / (1.0 - baseline)
