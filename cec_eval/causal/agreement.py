"""Agreement of explanation metrics with human ratings on the shipped rated sets.

Every explanation of a question (item) is scored against the *other* explanations of the same
question (multi-reference, leave-one-out) and compared with its human rating: COPA-SSE dev (crowd
explanations, mean rating 1–5, raters reward longer ones) and the Wiegreffe et al. (2022) train
sets (five GPT-3 explanations per CommonsenseQA / SNLI item, share of three annotators who found
each acceptable; raters mark longer ones down). See :func:`load_rated`.

Reported per metric:

* pooled Kendall τ-b and Spearman ρ over all explanations;
* within question: the mean over questions of Kendall τ-b (questions with ≥ 3 explanations whose
  ratings and scores are not constant) — the number that matters when a metric ranks systems'
  explanations of the *same* input;
* length-controlled versions, since word count alone correlates with these ratings: pooled partial
  Spearman (ranks of score and rating residualised on the rank of word count) and the within-
  question partial Kendall τ (τ_xy·z = (τ_xy − τ_xz·τ_yz) / √((1 − τ_xz²)(1 − τ_yz²)), z = words);
* same-length pair accuracy: over pairs of explanations of one question whose word counts differ
  by at most ``SAME_LENGTH_WORDS`` and whose ratings differ, the share the metric orders as people
  do (a tie in score counts one half) — agreement that length cannot explain;
* 95% bootstrap CIs that resample *questions* (explanations of one question are not independent).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import stats

from ..errors import InputError

SOURCE = "copa_sse_dev"


@dataclass
class RatedSet:
    """Explanations with ratings, grouped by question; ``references[i]`` are the other
    explanations of item i's question."""

    texts: list[str]
    ratings: list[float]
    groups: list[str]
    references: list[list[str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def words(self) -> np.ndarray:
        return np.array([len(t.split()) for t in self.texts], dtype=float)


def _rating(expl: dict, where: str) -> float:
    ratings = expl.get("filtered-ratings") or expl.get("all-ratings")
    if expl.get("filtered-avg-rating") is not None:
        return float(expl["filtered-avg-rating"])
    if not ratings:
        raise InputError(f"{where}: no ratings")
    return float(np.mean(ratings))


def load_rated(name: str = SOURCE, max_questions: int | None = None) -> RatedSet:
    """A shipped rated dataset (``cec_eval.correlate.RATED_DATASETS``: ``copa_sse_dev``,
    ``wiegreffe_cqa_train``, ``wiegreffe_snli_train``) as a :class:`RatedSet`; ``max_questions``
    keeps the first N questions."""
    if name == SOURCE:
        return load_copa_sse(max_questions=max_questions)
    from ..correlate import rated_items

    d = rated_items(name, limit_questions=max_questions)
    return RatedSet([" ".join(t.split()) for t in d["predictions"]], [float(r) for r in d["ratings"]],
                    [str(g) for g in d["groups"]], [[" ".join(r.split()) for r in refs] for refs in d["references"]])


def load_copa_sse(rows: Iterable[dict] | None = None, max_questions: int | None = None) -> RatedSet:
    """COPA-SSE rows → a :class:`RatedSet` (questions with ≥ 2 non-empty explanations)."""
    if rows is None:
        from ..resources import read_jsonl

        rows = read_jsonl(SOURCE)
    texts, ratings, groups, refs = [], [], [], []
    n_questions = 0
    for r, row in enumerate(rows):
        if max_questions is not None and n_questions >= max_questions:
            break
        expls = row.get("human-explanations")
        if not isinstance(expls, list):
            raise InputError(f"COPA-SSE row {r} (id {row.get('id')}): 'human-explanations' is missing")
        kept = []
        for k, e in enumerate(expls):
            text = e.get("text") if isinstance(e, dict) else None
            if isinstance(text, str) and text.strip():
                kept.append((" ".join(text.split()), _rating(e, f"COPA-SSE row {r} explanation {k}")))
        if len(kept) < 2:
            continue
        n_questions += 1
        for i, (text, rating) in enumerate(kept):
            texts.append(text)
            ratings.append(rating)
            groups.append(str(row.get("id", r)))
            refs.append([t for j, (t, _) in enumerate(kept) if j != i])
    if not texts:
        raise InputError("no COPA-SSE question with at least two explanations")
    return RatedSet(texts, ratings, groups, refs)


# -- correlation statistics ---------------------------------------------------------------------
def _tau(x: np.ndarray, y: np.ndarray) -> float:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(stats.kendalltau(x, y).statistic)


def _partial_tau(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    txy, txz, tyz = _tau(x, y), _tau(x, z), _tau(y, z)
    if math.isnan(txy):
        return float("nan")
    txz, tyz = (0.0 if math.isnan(t) else t for t in (txz, tyz))
    den = math.sqrt(max((1 - txz**2) * (1 - tyz**2), 0.0))
    return float((txy - txz * tyz) / den) if den > 1e-6 else float("nan")


def _partial_spearman(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    rx, ry, rz = (stats.rankdata(v) for v in (x, y, z))
    design = np.column_stack([np.ones_like(rz), rz])
    res = [r - design @ np.linalg.lstsq(design, r, rcond=None)[0] for r in (rx, ry)]
    if np.ptp(res[0]) < 1e-9 or np.ptp(res[1]) < 1e-9:
        return float("nan")  # x (or y) is a function of z: nothing left to correlate
    return float(stats.pearsonr(*res).statistic)


def _by_group(groups: Sequence[str]) -> list[np.ndarray]:
    index: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        index.setdefault(g, []).append(i)
    return [np.array(v) for v in index.values()]


def per_question(score: np.ndarray, rating: np.ndarray, words: np.ndarray, groups: list[np.ndarray],
                 partial: bool = False) -> np.ndarray:
    """Kendall τ (or partial τ given word count) of each question; NaN where undefined (fewer
    than 3 explanations, or constant ratings or scores)."""
    out = np.full(len(groups), np.nan)
    for q, idx in enumerate(groups):
        if len(idx) >= 3:
            out[q] = _partial_tau(score[idx], rating[idx], words[idx]) if partial else _tau(score[idx], rating[idx])
    return out


#: word-count difference up to which two explanations count as the same length
SAME_LENGTH_WORDS = 1


def _pair_counts(s: np.ndarray, r: np.ndarray, w: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Per question: (agreements, pairs) over its same-length pairs with different ratings."""
    out = np.zeros((len(groups), 2))
    for q, idx in enumerate(groups):
        if len(idx) < 2:
            continue
        i, j = np.triu_indices(len(idx), 1)
        a, b = idx[i], idx[j]
        keep = (np.abs(w[a] - w[b]) <= SAME_LENGTH_WORDS) & (r[a] != r[b])
        if not keep.any():
            continue
        a, b = a[keep], b[keep]
        ds, dr = np.sign(s[a] - s[b]), np.sign(r[a] - r[b])
        out[q] = (np.sum(np.where(ds == 0, 0.5, ds == dr)), len(a))
    return out


POOLED: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "pooled_tau": lambda s, r, w: _tau(s, r),
    "pooled_spearman": lambda s, r, w: float(stats.spearmanr(s, r).statistic),
    "pooled_partial_spearman": lambda s, r, w: _partial_spearman(s, r, w),
}
WITHIN = {"within_tau": False, "within_partial_tau": True}
PAIRS = ("same_length_pair_acc",)
STATISTICS = tuple(POOLED) + tuple(WITHIN) + PAIRS


def _values(s: np.ndarray, data: RatedSet, groups: list[np.ndarray], statistics: Sequence[str]):
    r, w = np.asarray(data.ratings, float), data.words
    pooled = {k: POOLED[k] for k in statistics if k in POOLED}
    within = {k: per_question(s, r, w, groups, WITHIN[k]) for k in statistics if k in WITHIN}
    return r, w, pooled, within


def _boot_picks(n_groups: int, n_boot: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n_groups, (n_boot, n_groups))


def agreement(scores: Sequence[float], data: RatedSet, n_boot: int = 1000, seed: int = 0,
              statistics: Sequence[str] = STATISTICS) -> dict[str, dict[str, float]]:
    """Each statistic with a 95% percentile bootstrap CI that resamples questions (seeded; the
    same resamples for every metric, so CIs of different metrics are comparable)."""
    s = np.asarray(scores, dtype=float)
    if s.shape != (len(data),):
        raise InputError(f"{len(s)} scores for {len(data)} rated explanations")
    groups = _by_group(data.groups)
    r, w, pooled, within = _values(s, data, groups, statistics)
    picks = _boot_picks(len(groups), n_boot, seed)
    out: dict[str, dict[str, float]] = {}
    for k in statistics:
        if k in PAIRS:
            counts = _pair_counts(s, r, w, groups)
            total = counts.sum(axis=0)
            point = float(total[0] / total[1]) if total[1] else float("nan")
            boot = counts[picks].sum(axis=1) if n_boot else np.zeros((0, 2))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                ratios = boot[:, 0] / boot[:, 1]
                lo, hi = np.nanpercentile(ratios, [2.5, 97.5]) if n_boot else (float("nan"), float("nan"))
            out[k] = {"value": point, "ci_low": float(lo), "ci_high": float(hi), "pairs": int(total[1])}
            continue
        if k in within:
            v = within[k]
            if np.isnan(v).all():
                out[k] = {"value": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "questions": 0}
                continue
            point = float(np.nanmean(v))
            with warnings.catch_warnings():  # a resample may draw only undefined questions
                warnings.simplefilter("ignore", RuntimeWarning)
                boots = np.nanmean(v[picks], axis=1) if n_boot else np.array([])
        else:
            point = pooled[k](s, r, w)
            boots = []
            for pick in picks:
                idx = np.concatenate([groups[p] for p in pick])
                boots.append(pooled[k](s[idx], r[idx], w[idx]))
        with warnings.catch_warnings():  # all-NaN when the statistic is undefined (e.g. words vs words)
            warnings.simplefilter("ignore", RuntimeWarning)
            lo, hi = np.nanpercentile(boots, [2.5, 97.5]) if n_boot else (float("nan"), float("nan"))
        out[k] = {"value": point, "ci_low": float(lo), "ci_high": float(hi)}
        if k in within:
            out[k]["questions"] = int(np.sum(~np.isnan(within[k])))
    return out


def paired_difference(a: Sequence[float], b: Sequence[float], data: RatedSet, statistic: str = "within_tau",
                      n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """statistic(a) − statistic(b) with a paired question-level bootstrap CI and the share of
    resamples where the difference is ≤ 0 (a one-sided bootstrap p for "a is better")."""
    sa, sb = np.asarray(a, float), np.asarray(b, float)
    groups = _by_group(data.groups)
    picks = _boot_picks(len(groups), n_boot, seed)
    if statistic in WITHIN:
        r, w = np.asarray(data.ratings, float), data.words
        va = per_question(sa, r, w, groups, WITHIN[statistic])
        vb = per_question(sb, r, w, groups, WITHIN[statistic])
        both = ~np.isnan(va) & ~np.isnan(vb)
        d = np.where(both, va - vb, np.nan)
        point = float(np.nanmean(d)) if both.any() else float("nan")
        with warnings.catch_warnings():  # a resample may draw only undefined questions
            warnings.simplefilter("ignore", RuntimeWarning)
            diffs = np.nanmean(d[picks], axis=1)
    else:
        r, w = np.asarray(data.ratings, float), data.words
        f = POOLED[statistic]
        point = f(sa, r, w) - f(sb, r, w)
        diffs = []
        for pick in picks:
            idx = np.concatenate([groups[p] for p in pick])
            diffs.append(f(sa[idx], r[idx], w[idx]) - f(sb[idx], r[idx], w[idx]))
        diffs = np.asarray(diffs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(diffs, [2.5, 97.5])
    return {"value": point, "ci_low": float(lo), "ci_high": float(hi), "p_le_0": float(np.mean(diffs <= 0))}


# -- metrics on (explanation, other explanation) pairs ------------------------------------------
MULTI_REF = ("max", "mean")


def pairs(data: RatedSet) -> tuple[list[str], list[str], np.ndarray]:
    """Every (explanation, one other explanation of its question) pair and the item it belongs
    to: scoring pairs once gives both multi-reference rules (max = the shipped ``max-sym``,
    mean = consensus over the other explanations)."""
    preds, refs, owner = [], [], []
    for i, (text, others) in enumerate(zip(data.texts, data.references)):
        for other in others:
            preds.append(text)
            refs.append(other)
            owner.append(i)
    return preds, refs, np.asarray(owner)


def combine_directions(forward: Sequence[float], backward: Sequence[float], owner: np.ndarray, n: int,
                       how: str = "max", rule: str = "mean") -> np.ndarray:
    """Per-item CEC_sym from per-pair forward/backward with :mod:`cec_eval.aggregate`'s own
    multi-reference rules, so it equals what :class:`~cec_eval.CECScorer` gives with every
    reference at once: ``max`` = the best reference by sym (``max-sym``), ``mean`` = the
    directions averaged over the references, then combined."""
    from .. import aggregate

    if how not in MULTI_REF:
        raise ValueError(f"multi-reference rule must be one of {MULTI_REF}, not {how!r}")
    per_item: list[list[aggregate.Directions]] = [[] for _ in range(n)]
    for i, f, b in zip(owner, forward, backward):
        per_item[i].append(aggregate.Directions(float(f), float(b), aggregate.combine(float(f), float(b), rule)))
    out = []
    for refs in per_item:
        d = refs[aggregate.best_reference(refs)] if how == "max" else aggregate.mean_over_references(refs, rule)
        out.append(d.sym)
    return np.asarray(out)


def combine(pair_scores: Sequence[float], owner: np.ndarray, n: int, how: str = "max") -> np.ndarray:
    """Per-item score from per-pair scores: the max or the mean over the item's references."""
    if how not in MULTI_REF:
        raise ValueError(f"multi-reference rule must be one of {MULTI_REF}, not {how!r}")
    v = np.asarray(pair_scores, dtype=float)
    if how == "max":
        out = np.full(n, -np.inf)
        np.maximum.at(out, owner, v)
        return out
    return np.bincount(owner, weights=v, minlength=n) / np.bincount(owner, minlength=n)
