"""cec_eval.stats against scipy on constructed data with known answers."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from cec_eval import stats
from cec_eval.errors import InputError


@pytest.fixture
def paired():
    rng = np.random.default_rng(7)
    a = rng.normal(0.9, 0.02, 150)
    b = a - 0.18 + rng.normal(0, 0.03, 150)
    return a, b


def test_bootstrap_ci_matches_scipy_and_covers_mean():
    x = np.random.default_rng(1).normal(0.5, 0.1, 200)
    est = stats.bootstrap_ci(x, seed=3, n_resamples=500)
    ref = sps.bootstrap((x,), np.mean, n_resamples=500, method="percentile", rng=np.random.default_rng(3), vectorized=False)
    assert est.low == pytest.approx(ref.confidence_interval.low)
    assert est.high == pytest.approx(ref.confidence_interval.high)
    assert est.low < x.mean() < est.high and est.estimate == pytest.approx(x.mean())
    assert stats.bootstrap_ci(x, seed=3, n_resamples=500) == est  # seeded


def test_bootstrap_ci_degenerate_cases_are_explained():
    const = stats.bootstrap_ci([0.7] * 10)
    assert (const.low, const.estimate, const.high) == (0.7, 0.7, 0.7) and const.defined
    one = stats.bootstrap_ci([0.3])
    assert one.reason == "fewer than 2 items" and one.low is None and one.estimate == 0.3
    with pytest.raises(InputError, match="row 1"):
        stats.bootstrap_ci([0.1, float("nan"), 0.2])


def test_ttest_wilcoxon_match_scipy(paired):
    a, b = paired
    t = stats.paired_ttest(a, b)
    ref = sps.ttest_rel(a, b)
    assert t.statistic == pytest.approx(ref.statistic) and t.pvalue == pytest.approx(ref.pvalue)
    assert t.df == 149
    w = stats.wilcoxon(a, b)
    wref = sps.wilcoxon(a, b)
    assert w.statistic == pytest.approx(wref.statistic) and w.pvalue == pytest.approx(wref.pvalue)


def test_all_higher_gives_w_zero():
    a = np.linspace(0.8, 0.95, 30)
    b = a - np.linspace(0.1, 0.2, 30)
    w = stats.wilcoxon(a, b)
    assert w.statistic == 0.0 and w.pvalue < 1e-3


def test_identical_and_constant_shift_are_undefined_not_nan():
    a = [0.1, 0.5, 0.9, 0.3]
    t = stats.paired_ttest(a, a)
    assert t.statistic is None and "identical" in t.reason
    assert stats.wilcoxon(a, a).reason.startswith("the two columns are identical")
    shift = stats.paired_ttest(a, [x - 0.2 for x in a])
    assert shift.statistic is None and "zero variance" in shift.reason
    d = stats.cohens_d_paired(a, a)
    assert d["d_z"] is None and d["reasons"]["d_z"] == "sd of the differences is 0"
    tiny = stats.paired_ttest([0.1], [0.2])
    assert tiny.pvalue is None and "need at least 2" in tiny.reason


def test_cohens_d_formulas():
    a = np.array([4.0, 5.0, 6.0, 8.0])
    b = np.array([1.0, 3.0, 3.0, 4.0])
    d = a - b  # 3, 2, 3, 4 -> mean 3, sd sqrt(2/3)
    out = stats.cohens_d_paired(a, b)
    assert out["d_z"] == pytest.approx(3 / math.sqrt(2 / 3))
    assert out["d_av"] == pytest.approx(3 / ((a.std(ddof=1) + b.std(ddof=1)) / 2))
    r = np.corrcoef(a, b)[0, 1]
    assert out["d_rm"] == pytest.approx(out["d_z"] * math.sqrt(2 * (1 - r)))
    # d_z = t / sqrt(n): the identity behind the note on seed 000's "t(99) = 100.34, d = 5.18".
    t = sps.ttest_rel(a, b).statistic
    assert out["d_z"] == pytest.approx(t / math.sqrt(len(a)))
    assert d.mean() == out["mean_diff"]


def test_compare_paired_samples_100_with_seed(paired):
    a, b = paired
    r1 = stats.compare_paired(a, b, n=100, seed=5)
    r2 = stats.compare_paired(a, b, n=100, seed=5)
    r3 = stats.compare_paired(a, b, n=100, seed=6)
    assert r1["n"] == 100 and r1["indices"] == r2["indices"] != r3["indices"]
    idx = np.array(r1["indices"])
    assert r1["ttest"]["statistic"] == pytest.approx(sps.ttest_rel(a[idx], b[idx]).statistic)
    assert r1["summary"].startswith("CEC (M = ") and "t(99) = " in r1["summary"] and "p < .001" in r1["summary"]
    everything = stats.compare_paired(a, b, n=None)
    assert everything["n"] == 150 and everything["sample"]["n"] == "all"


def test_paired_system_tests_known_answers():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.8, 80)
    same = stats.paired_bootstrap(base, base.copy())
    assert same.pvalue == 1.0 and not same.significant()
    assert stats.paired_randomization(base, base.copy()).pvalue == 1.0
    # A system better on every item by the same margin: no resample/trial beats the observed
    # difference, so p is sacrebleu's floor 1/(N+1).
    better = base + 0.05
    assert stats.paired_bootstrap(base, better, n_resamples=999).pvalue == pytest.approx(1 / 1000)
    assert stats.paired_randomization(base, better, n_trials=999).pvalue == pytest.approx(1 / 1000)
    # Independent noise of the same distribution: no significant difference (seeded).
    noise = base + rng.normal(0, 0.05, 80)
    noise -= noise.mean() - base.mean()
    assert stats.paired_randomization(base, noise).pvalue > 0.05
    assert stats.paired_bootstrap(base, noise).pvalue > 0.05
    bs = stats.paired_bootstrap(base, better, seed=1)
    assert bs.details["delta"] == pytest.approx(0.05) and bs.details["system_ci95_halfwidth"] > 0
    assert stats.paired_bootstrap(base, better, seed=1) == bs
    with pytest.raises(InputError, match="differ in length"):
        stats.paired_bootstrap(base, better[:-1])
    one = stats.paired_randomization([0.5], [0.7])
    assert one.pvalue is None and one.reason == "1 item(s): need at least 2"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=0, max_size=12),
)
def test_never_nan(pairs):
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    for res in (stats.paired_ttest(a, b), stats.wilcoxon(a, b)):
        for v in (res.statistic, res.pvalue):
            assert v is None or (math.isfinite(v) and (res.pvalue is None or 0 <= res.pvalue <= 1))
        assert (res.statistic is None) == (res.reason is not None)
    d = stats.cohens_d_paired(a, b)
    assert all(d[k] is None or math.isfinite(d[k]) for k in ("d_z", "d_av", "d_rm"))
    ci = stats.bootstrap_ci(a, n_resamples=50) if a else None
    assert ci is None or ci.low is None or ci.low <= ci.high


def test_format_p():
    assert stats.format_p(0.0001) == "p < .001"
    assert stats.format_p(0.0342) == "p = .034"
    assert stats.format_p(None) == "p undefined"


def test_randomization_counts_ties_on_discrete_scores():
    # two items, one flips 0 -> 1: every shuffle reaches the observed difference, so p = 1
    assert stats.paired_randomization([0, 1], [1, 1]).pvalue == 1.0
    # ten items all flipping 0 -> 1: only the two extreme shuffles reach it (p ~ 2/2^10)
    p = stats.paired_randomization([0] * 10, [1] * 10, n_trials=9999).pvalue
    assert 0.0005 < p < 0.005
