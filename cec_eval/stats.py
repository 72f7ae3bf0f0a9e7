"""Statistics for comparing explanation metrics and systems (seed 000, §4.3), reproducible with a
seed. Distributions and tests come from scipy; the paired system tests follow sacrebleu's
``--paired-bs`` / ``--paired-ar`` (and reuse its p-value and CI helpers).

Nothing here returns a bare NaN: when a statistic is undefined (too few items, zero variance,
identical columns, ties everywhere) the result says so in ``reason`` and its values are None.

Effect sizes for paired samples (Lakens 2013, *Front. Psychol.* 4:863), with D = a − b:

* ``d_z  = mean(D) / sd(D)``                          (= t / √n; the default "d" here)
* ``d_av = mean(D) / ((sd(a) + sd(b)) / 2)``          (Cumming's average-SD d)
* ``d_rm = d_z · √(2(1 − r))``, r = Pearson r(a, b)    (repeated-measures d)

all with sample SDs (ddof = 1). Seed 000 reports t(99) = 100.34 and d = 5.18 without a formula;
d_z would be 100.34/√100 = 10.03, so the paper did not use d_z (see docs/metrics.md).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .errors import InputError

__all__ = [
    "Estimate",
    "TestResult",
    "as_array",
    "sample_indices",
    "bootstrap_ci",
    "paired_ttest",
    "wilcoxon",
    "cohens_d_paired",
    "compare_paired",
    "paired_bootstrap",
    "paired_randomization",
    "format_p",
]


# -- result types ----------------------------------------------------------------------------
@dataclass
class Estimate:
    """A point estimate with its confidence interval (None where undefined, with ``reason``)."""

    estimate: float | None
    low: float | None = None
    high: float | None = None
    confidence: float = 0.95
    n: int = 0
    method: str = ""
    reason: str | None = None

    @property
    def defined(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def format(self, digits: int = 3) -> str:
        if self.estimate is None:
            return f"undefined ({self.reason})"
        text = f"{self.estimate:.{digits}f}"
        if self.low is not None and self.high is not None:
            text += f" [{self.low:.{digits}f}, {self.high:.{digits}f}]"
        elif self.reason:
            text += f" (CI undefined: {self.reason})"
        return text


@dataclass
class TestResult:
    """One hypothesis test. ``statistic``/``pvalue`` are None when undefined (see ``reason``)."""

    test: str
    statistic: float | None
    pvalue: float | None
    n: int
    df: float | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    __test__ = False  # not a pytest test class

    @property
    def defined(self) -> bool:
        return self.statistic is not None and self.pvalue is not None

    def significant(self, alpha: float = 0.05) -> bool | None:
        return None if self.pvalue is None else bool(self.pvalue < alpha)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _finite(x: Any) -> float | None:
    """A float, or None for NaN/inf (so no NaN ever reaches a report)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def format_p(p: float | None) -> str:
    """APA style: ``p < .001`` or ``p = .034``."""
    if p is None:
        return "p undefined"
    if p < 0.001:
        return "p < .001"
    return f"p = {p:.3f}".replace("0.", ".", 1)


# -- inputs ----------------------------------------------------------------------------------
def as_array(values: Sequence[float], name: str = "scores") -> np.ndarray:
    """A 1-D float array; a None/NaN/non-number names its row."""
    out = np.empty(len(values), dtype=float)
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"{name} row {i}: not a number: {v!r:.60}") from None
        if not math.isfinite(out[i]):
            raise InputError(f"{name} row {i}: not a finite number: {v!r}")
    return out


def _paired(a: Sequence[float], b: Sequence[float], names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_array(a, names[0]), as_array(b, names[1])
    if len(x) != len(y):
        raise InputError(f"paired samples differ in length: {names[0]} has {len(x)}, {names[1]} has {len(y)}")
    return x, y


def sample_indices(n_total: int, n: int | None = 100, seed: int = 0) -> np.ndarray:
    """Indices of a seeded random sample of ``n`` items without replacement (sorted), as the paper's
    "randomly selected 100 pairs"; None, 0 or n ≥ n_total → all items."""
    if n is None or n <= 0 or n >= n_total:
        return np.arange(n_total)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_total, size=n, replace=False))


# -- confidence intervals --------------------------------------------------------------------
def bootstrap_ci(
    values: Sequence[float],
    statistic: Callable[[np.ndarray], float] = np.mean,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
    method: str = "percentile",
) -> Estimate:
    """Bootstrap CI of ``statistic`` over items (scipy.stats.bootstrap, seeded).

    Percentile by default: BCa is undefined for constant data and unstable for tiny n."""
    from scipy import stats

    x = as_array(values)
    est = _finite(statistic(x)) if len(x) else None
    if len(x) < 2:
        return Estimate(est, n=len(x), confidence=confidence, method=f"bootstrap-{method}", reason="fewer than 2 items")
    if _no_spread(x):
        # Every resample is the same: the interval is the point.
        return Estimate(est, est, est, confidence, len(x), f"bootstrap-{method}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap(
            (x,),
            statistic,
            confidence_level=confidence,
            n_resamples=n_resamples,
            method=method,
            rng=np.random.default_rng(seed),
            vectorized=False,
        )
    low, high = _finite(res.confidence_interval.low), _finite(res.confidence_interval.high)
    reason = None if low is not None and high is not None else "bootstrap interval is undefined for these data"
    return Estimate(est, low, high, confidence, len(x), f"bootstrap-{method}", reason)


# -- paired tests between two columns (two metrics on the same items, or two systems) ----------
def _no_spread(x: np.ndarray) -> bool:
    """True when ``x`` is constant up to float rounding (0.3 - 0.1 style noise would otherwise
    give t ≈ 1e16 instead of "undefined")."""
    return len(x) == 0 or float(np.ptp(x)) <= 1e-12 * max(1.0, float(np.abs(x).max()))


def _difference_problem(d: np.ndarray) -> str | None:
    if len(d) < 2:
        return f"{len(d)} pair(s): need at least 2"
    if np.all(d == 0):
        return "the two columns are identical (every difference is 0)"
    return None


def paired_ttest(a: Sequence[float], b: Sequence[float], names: tuple[str, str] = ("a", "b")) -> TestResult:
    """Paired-sample t-test (scipy.stats.ttest_rel), two-sided, df = n − 1."""
    from scipy import stats

    x, y = _paired(a, b, names)
    d = x - y
    n = len(d)
    problem = _difference_problem(d)
    if problem is None and _no_spread(d):
        problem = f"every difference equals {d[0]:.6g} (zero variance): t is infinite"
    if problem:
        return TestResult("paired t-test", None, None, n, n - 1 if n else None, problem, {"mean_diff": _finite(d.mean()) if n else None})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.ttest_rel(x, y)
    ci = res.confidence_interval(0.95)
    return TestResult(
        "paired t-test",
        _finite(res.statistic),
        _finite(res.pvalue),
        n,
        float(res.df),
        details={"mean_diff": float(d.mean()), "sd_diff": float(d.std(ddof=1)), "ci95_mean_diff": [_finite(ci.low), _finite(ci.high)]},
    )


def wilcoxon(a: Sequence[float], b: Sequence[float], names: tuple[str, str] = ("a", "b")) -> TestResult:
    """Wilcoxon signed-rank test (scipy.stats.wilcoxon), two-sided; zero differences dropped
    (``zero_method='wilcox'``, Wilcoxon's original); scipy picks exact or normal approximation."""
    from scipy import stats

    x, y = _paired(a, b, names)
    d = x - y
    nonzero = int(np.count_nonzero(d))
    problem = _difference_problem(d)
    if problem is None and nonzero < 1:
        problem = "no non-zero differences"
    if problem:
        return TestResult("Wilcoxon signed-rank", None, None, len(d), reason=problem, details={"n_nonzero": nonzero})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.wilcoxon(x, y, zero_method="wilcox", alternative="two-sided")
    details: dict[str, Any] = {"n_nonzero": nonzero, "n_zero_dropped": len(d) - nonzero}
    if getattr(res, "zstatistic", None) is not None:
        details["z"] = _finite(res.zstatistic)
    return TestResult("Wilcoxon signed-rank", _finite(res.statistic), _finite(res.pvalue), len(d), details=details)


def cohens_d_paired(a: Sequence[float], b: Sequence[float], names: tuple[str, str] = ("a", "b")) -> dict[str, Any]:
    """Cohen's d for paired samples: ``d_z``, ``d_av`` and ``d_rm`` (module doc has the formulas).
    A value whose denominator is 0 is None, with the reason under ``reasons``."""
    x, y = _paired(a, b, names)
    n = len(x)
    out: dict[str, Any] = {"d_z": None, "d_av": None, "d_rm": None, "reasons": {}}
    if n < 2:
        out["reasons"] = {k: f"{n} pair(s): need at least 2" for k in ("d_z", "d_av", "d_rm")}
        return out
    d = x - y
    mean_d, sd_d = float(d.mean()), float(d.std(ddof=1))
    sd_x, sd_y = float(x.std(ddof=1)), float(y.std(ddof=1))
    if not _no_spread(d):
        out["d_z"] = mean_d / sd_d
    else:
        out["reasons"]["d_z"] = "sd of the differences is 0"
    if not (_no_spread(x) and _no_spread(y)):
        out["d_av"] = mean_d / ((sd_x + sd_y) / 2)
    else:
        out["reasons"]["d_av"] = "both columns are constant"
    if not (_no_spread(x) or _no_spread(y) or _no_spread(d)):
        r = float(np.corrcoef(x, y)[0, 1])
        out["d_rm"] = out["d_z"] * math.sqrt(2 * (1 - r))
        out["r"] = r
    else:
        out["reasons"]["d_rm"] = "needs non-constant columns and differences (Pearson r undefined)"
    out.update(mean_diff=mean_d, sd_diff=sd_d, sd_a=sd_x, sd_b=sd_y, n=n)
    for k in ("d_z", "d_av", "d_rm"):
        out[k] = _finite(out[k])
    return out


def compare_paired(
    a: Sequence[float],
    b: Sequence[float],
    names: tuple[str, str] = ("CEC", "BERTScore"),
    n: int | None = 100,
    seed: int = 0,
) -> dict[str, Any]:
    """The §4.3 analysis of two paired columns (e.g. CEC vs BERTScore on the same explanations):
    a seeded sample of ``n`` pairs (None: all), mean/SD of each, paired t-test, Wilcoxon
    signed-rank and Cohen's d (d_z, d_av, d_rm), plus an APA-style summary line."""
    x, y = _paired(a, b, names)
    idx = sample_indices(len(x), n, seed)
    xs, ys = x[idx], y[idx]
    t = paired_ttest(xs, ys, names)
    w = wilcoxon(xs, ys, names)
    d = cohens_d_paired(xs, ys, names)
    describe = {
        name: {"M": float(v.mean()), "SD": float(v.std(ddof=1)) if len(v) > 1 else None} for name, v in zip(names, (xs, ys))
    }
    out = {
        "a": names[0],
        "b": names[1],
        "n": int(len(idx)),
        "n_total": int(len(x)),
        "sample": {"n": n if n and n < len(x) else "all", "seed": seed},
        "indices": idx.tolist(),
        "describe": describe,
        "ttest": t.to_dict(),
        "wilcoxon": w.to_dict(),
        "cohens_d": d,
        "d_formula": "d_z = mean(a-b)/sd(a-b); d_av = mean(a-b)/((sd(a)+sd(b))/2); d_rm = d_z*sqrt(2(1-r)); sample SDs",
    }
    out["summary"] = _apa(out)
    return out


def _apa(r: dict[str, Any]) -> str:
    a, b = r["a"], r["b"]
    da, db = r["describe"][a], r["describe"][b]

    def sd(v: float | None) -> str:
        return "undefined" if v is None else f"{v:.3f}"

    parts = [f"{a} (M = {da['M']:.3f}, SD = {sd(da['SD'])}) vs {b} (M = {db['M']:.3f}, SD = {sd(db['SD'])}), n = {r['n']}:"]
    t = r["ttest"]
    if t["statistic"] is None:
        parts.append(f"t undefined ({t['reason']});")
    else:
        parts.append(f"t({t['df']:.0f}) = {t['statistic']:.2f}, {format_p(t['pvalue'])};")
    w = r["wilcoxon"]
    if w["statistic"] is None:
        parts.append(f"Wilcoxon undefined ({w['reason']});")
    else:
        parts.append(f"Wilcoxon W = {w['statistic']:.1f}, {format_p(w['pvalue'])};")
    d = r["cohens_d"]
    parts.append(
        ", ".join(f"{k} = {'undefined' if d[k] is None else format(d[k], '.2f')}" for k in ("d_z", "d_av", "d_rm"))
    )
    return " ".join(parts)


# -- two systems on one metric, as sacrebleu --paired-bs / --paired-ar ---------------------------
def _system_pair(baseline: Sequence[float], system: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    return _paired(baseline, system, ("baseline", "system"))


def paired_bootstrap(
    baseline: Sequence[float], system: Sequence[float], n_resamples: int = 1000, seed: int | None = 12345
) -> TestResult:
    """Paired bootstrap resampling (Koehn 2004), exactly as sacrebleu's ``--paired-bs``: the same
    resampled item indices for both systems, system score = mean item score, p-value from the
    centred absolute differences with sacrebleu's ``(c + 1) / (N + 1)``. Also the system's
    bootstrap mean and 95% CI half-width (sacrebleu's ``estimate_ci``)."""
    from sacrebleu.significance import _compute_p_value, estimate_ci

    bl, sys_ = _system_pair(baseline, system)
    if len(bl) < 2:
        return TestResult("paired bootstrap", None, None, len(bl), reason=f"{len(bl)} item(s): need at least 2")
    real = abs(bl.mean() - sys_.mean())
    details = {"baseline": float(bl.mean()), "system": float(sys_.mean()), "delta": float(sys_.mean() - bl.mean()), "n_resamples": n_resamples, "seed": seed}
    if np.array_equal(bl, sys_):
        # sacrebleu would report p = 1/(N+1) here; identical outputs are no evidence of a difference.
        return TestResult("paired bootstrap", 0.0, 1.0, len(bl), reason=None, details=details | {"note": "identical item scores: no difference (p = 1)"})
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(bl), size=(n_resamples, len(bl)), replace=True)
    scores_bl, scores_sys = bl[idx].mean(axis=1), sys_[idx].mean(axis=1)
    sys_mean, sys_ci = estimate_ci(scores_sys)
    sample_diffs = np.abs(scores_sys - scores_bl)
    p = _compute_p_value(sample_diffs - sample_diffs.mean(), real)
    details.update(system_bootstrap_mean=float(sys_mean), system_ci95_halfwidth=float(sys_ci))
    return TestResult("paired bootstrap", float(real), float(p), len(bl), details=details)


def paired_randomization(
    baseline: Sequence[float], system: Sequence[float], n_trials: int = 10000, seed: int | None = 12345
) -> TestResult:
    """Paired approximate randomisation (Riezler & Maxwell 2005), as sacrebleu's ``--paired-ar``:
    each trial swaps every item's pair of scores with probability ½; p = (c + 1)/(N + 1) with c the
    trials whose |mean difference| reaches the observed one (≥, as Riezler & Maxwell and Noreen
    count). sacrebleu counts only trials that *exceed* it, which is fine for corpus BLEU but with
    discrete per-item scores (0/1 accuracy, few items) ties are common and strict counting reports
    p ≈ 1/(N+1) for differences that chance produces half the time."""
    bl, sys_ = _system_pair(baseline, system)
    if len(bl) < 2:
        return TestResult("paired approximate randomization", None, None, len(bl), reason=f"{len(bl)} item(s): need at least 2")
    real = abs(bl.mean() - sys_.mean())
    details = {"baseline": float(bl.mean()), "system": float(sys_.mean()), "delta": float(sys_.mean() - bl.mean()), "n_trials": n_trials, "seed": seed}
    if np.array_equal(bl, sys_):
        return TestResult("paired approximate randomization", 0.0, 1.0, len(bl), details=details | {"note": "identical item scores: no difference (p = 1)"})
    rng = np.random.default_rng(seed)
    pos = rng.integers(2, size=(n_trials, len(bl)), dtype=bool)
    shuf_a = np.where(pos, bl, sys_).mean(axis=1)
    shuf_b = np.where(pos, sys_, bl).mean(axis=1)
    # tolerance: shuffled means are sums of the same floats in another order
    c = int(np.sum(np.abs(shuf_a - shuf_b) >= real - 1e-12))
    p = (c + 1) / (n_trials + 1)
    return TestResult("paired approximate randomization", float(real), float(p), len(bl), details=details)
