"""Aggregation: Eq. 2 of the paper (seed 000 §3.2, Algorithm 1), and its recall-weighted form.

forward  = 1/n Σ_i max_j cos(g_i, a_j)   (each generated sentence's best reference match: precision)
backward = 1/m Σ_j max_i cos(a_j, g_i)   (each reference sentence's best generated match: recall,
                                          the paper's "completeness")
sym      = combine(forward, backward), by the aggregation rule:

* ``mean`` — (forward + backward) / 2, the paper's Eq. 2 (default of the plain variant);
* ``f<β>`` (``f1``, ``f2``, ``f3`` …) — the weighted harmonic mean (1 + β²)·F·B / (β²·F + B), which
  counts recall β times as much as precision, as METEOR's Fmean does (β = 3, α = 0.9); an option
  only (it tracks explanation length: docs/causal_cec.md). A harmonic mean is undefined for values ≤ 0 (cosines can be
  negative), so there it falls back to min(F, B): the rule stays continuous, monotone in both
  directions, and gives x for F = B = x.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

#: how several references are combined (documented in the README and the metric card):
#: "max-sym" — the best reference by CEC_sym (default); "mean" — forward and backward averaged
#: over the references, then combined (a consensus rule; see docs/causal_cec.md)
MULTI_REF_RULES = ("max-sym", "mean")
#: aggregation rules: "mean" (Eq. 2) or "f<β>" with β > 0
_F_BETA = re.compile(r"^f(\d+(?:\.\d+)?)$")


class Directions(NamedTuple):
    forward: float
    backward: float
    sym: float


EMPTY = Directions(0.0, 0.0, 0.0)


@lru_cache(maxsize=None)
def _beta_squared(rule: str) -> float | None:
    """β² of an ``f<β>`` rule, None for ``mean``; a ValueError for anything else (parsed once per
    rule: ``combine`` runs for every pair)."""
    if rule == "mean":
        return None
    m = _F_BETA.match(rule) if isinstance(rule, str) else None
    if not (m and float(m.group(1)) > 0):
        raise ValueError(f"unknown CEC aggregation {rule!r}; use 'mean' (Eq. 2) or 'f<beta>' such as 'f3'")
    return float(m.group(1)) ** 2


def check_rule(rule: str) -> str:
    """``rule`` if it is a known aggregation rule (``mean`` or ``f<β>``), else a ValueError."""
    if not isinstance(rule, str):
        raise ValueError(f"unknown CEC aggregation {rule!r}; use 'mean' (Eq. 2) or 'f<beta>' such as 'f3'")
    _beta_squared(rule)
    return rule


def combine(forward: float, backward: float, rule: str = "mean") -> float:
    """CEC_sym from the two directions under an aggregation rule (see the module docstring)."""
    beta2 = _beta_squared(rule)
    if beta2 is None:
        return (forward + backward) / 2
    if forward <= 0 or backward <= 0:
        return min(forward, backward)
    return (1 + beta2) * forward * backward / (beta2 * forward + backward)


def cec(sim: np.ndarray, rule: str = "mean") -> Directions:
    """The three CEC scores of one (n × m) similarity matrix. An empty generation (n = 0) has no
    sentence to match and scores 0 in every direction (it is counted, not dropped)."""
    if sim.shape[0] == 0:
        return EMPTY
    forward = float(sim.max(axis=1).mean())
    backward = float(sim.max(axis=0).mean())
    return Directions(forward, backward, combine(forward, backward, rule))


def best_reference(per_reference: list[Directions]) -> int:
    """Multi-reference rule: the reference with the highest CEC_sym (first on ties); forward and
    backward are reported for that same reference, so sym = combine(forward, backward) holds."""
    return int(np.argmax([d.sym for d in per_reference]))


def mean_over_references(per_reference: list[Directions], rule: str = "mean") -> Directions:
    """Multi-reference rule ``mean``: forward and backward averaged over the references, sym
    combined from those averages (for ``mean`` that is also the mean of the per-reference syms)."""
    forward = float(np.mean([d.forward for d in per_reference]))
    backward = float(np.mean([d.backward for d in per_reference]))
    return Directions(forward, backward, combine(forward, backward, rule))


def rescale(value: float, baseline: float) -> float:
    """bert_score's baseline rescaling: (x − b) / (1 − b); 0 ≈ an unrelated pair, 1 = identical."""
    return (value - baseline) / (1.0 - baseline)
