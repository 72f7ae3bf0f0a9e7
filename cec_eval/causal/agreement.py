"""Agreement of explanation metrics with human ratings on COPA-SSE dev.

Every crowd explanation of a COPA question is scored against the *other* explanations of the
same question (multi-reference) and compared with its mean human rating (the
``filtered-avg-rating`` of COPA-SSE, 1–5).

Reported per metric:

* pooled Kendall τ-b and Spearman ρ over all explanations;
* within question: the mean over questions of Kendall τ-b (questions with ≥ 3 explanations whose
  ratings and scores are not constant) — the number that matters when a metric ranks systems'
  explanations of the *same* input;
* length-controlled versions, since word count alone correlates with these ratings: pooled partial
  Spearman (ranks of score and rating residualised on the rank of word count) and the within-
  question partial Kendall τ (τ_xy·z = (τ_xy − τ_xz·τ_yz) / √((1 − τ_xz²)(1 − τ_yz²)), z = words);
* 95% bootstrap CIs that resample *questions* (explanations of one question are not independent).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

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
    return float((txy - txz * tyz) / den) if den > 0 else float("nan")


def _partial_spearman(x: np.ndarray, y: np.ndarray, z: np.ndarray) -> float:
    rx, ry, rz = (stats.rankdata(v) for v in (x, y, z))
    design = np.column_stack([np.ones_like(rz), rz])
    res = [r - design @ np.linalg.lstsq(design, r, rcond=None)[0] for r in (rx, ry)]
    return float(stats.pearsonr(*res).statistic)


def _by_group(groups: Sequence[str]) -> list[np.ndarray]:
    index: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        index.setdefault(g, []).append(i)
    return [np.array(v) for v in index.values()]


def within_values(score: np.ndarray, rating: np.ndarray, words: np.ndarray, groups: Sequence[str],
                  partial: bool = False) -> np.ndarray:
    """Per-question Kendall τ (or partial τ given word count); undefined questions dropped."""
    out = []
    for idx in _by_group(groups):
        if len(idx) < 3:
            continue
        v = _partial_tau(score[idx], rating[idx], words[idx]) if partial else _tau(score[idx], rating[idx])
        if not math.isnan(v):
            out.append(v)
    return np.array(out)


STATISTICS: dict[str, Callable[..., float]] = {
    "pooled_tau": lambda s, r, w, g: _tau(s, r),
    "pooled_spearman": lambda s, r, w, g: float(stats.spearmanr(s, r).statistic),
    "pooled_partial_spearman": lambda s, r, w, g: _partial_spearman(s, r, w),
    "within_tau": lambda s, r, w, g: float(np.mean(within_values(s, r, w, g))),
    "within_partial_tau": lambda s, r, w, g: float(np.mean(within_values(s, r, w, g, partial=True))),
}


def agreement(scores: Sequence[float], data: RatedSet, n_boot: int = 1000, seed: int = 0,
              statistics: Sequence[str] = tuple(STATISTICS)) -> dict[str, dict[str, float]]:
    """Each statistic with a 95% percentile bootstrap CI over questions (seeded)."""
    s = np.asarray(scores, dtype=float)
    if s.shape != (len(data),):
        raise InputError(f"{len(s)} scores for {len(data)} rated explanations")
    r, w, g = np.asarray(data.ratings, float), data.words, list(data.groups)
    groups = _by_group(g)
    rng = np.random.default_rng(seed)
    out: dict[str, dict[str, float]] = {}
    point = {k: STATISTICS[k](s, r, w, g) for k in statistics}
    boots: dict[str, list[float]] = {k: [] for k in statistics}
    for _ in range(n_boot):
        pick = rng.integers(0, len(groups), len(groups))
        idx = np.concatenate([groups[p] for p in pick])
        # relabel so a question drawn twice counts as two questions
        gl = np.concatenate([[str(n)] * len(groups[p]) for n, p in enumerate(pick)])
        for k in statistics:
            boots[k].append(STATISTICS[k](s[idx], r[idx], w[idx], list(gl)))
    for k in statistics:
        lo, hi = np.nanpercentile(boots[k], [2.5, 97.5]) if n_boot else (float("nan"),) * 2
        out[k] = {"value": point[k], "ci_low": float(lo), "ci_high": float(hi)}
    return out


def paired_difference(a: Sequence[float], b: Sequence[float], data: RatedSet, statistic: str = "within_tau",
                      n_boot: int = 1000, seed: int = 0) -> dict[str, float]:
    """statistic(a) − statistic(b) with a question-level paired bootstrap CI and the share of
    resamples where the difference is ≤ 0 (a one-sided bootstrap p)."""
    sa, sb = np.asarray(a, float), np.asarray(b, float)
    r, w, g = np.asarray(data.ratings, float), data.words, list(data.groups)
    f = STATISTICS[statistic]
    groups = _by_group(g)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        pick = rng.integers(0, len(groups), len(groups))
        idx = np.concatenate([groups[p] for p in pick])
        gl = list(np.concatenate([[str(n)] * len(groups[p]) for n, p in enumerate(pick)]))
        diffs.append(f(sa[idx], r[idx], w[idx], gl) - f(sb[idx], r[idx], w[idx], gl))
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    return {
        "value": f(sa, r, w, g) - f(sb, r, w, g),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "p_le_0": float(np.mean(np.asarray(diffs) <= 0)),
    }


# -- metrics -------------------------------------------------------------------------------------
def score_cec(data: RatedSet, **scorer_kwargs: Any) -> tuple[list[float], str]:
    from ..scorer import CECScorer

    res = CECScorer(**scorer_kwargs).score(data.texts, data.references)
    return res.sym, res.signature


def score_bertscore(data: RatedSet, model: str | None = None) -> tuple[list[float], str]:
    from ..metrics.bertscore import BERTScoreMetric

    res = BERTScoreMetric(model=model).score(data.texts, data.references)
    return res.scores, res.signature


def score_rouge_l(data: RatedSet) -> tuple[list[float], str]:
    from ..metrics.rouge import ROUGEMetric

    res = ROUGEMetric("rougeL").score(data.texts, data.references)
    return res.scores, res.signature
