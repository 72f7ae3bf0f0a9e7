"""Standard errors of the task pack's corpus-level metrics: a seeded bootstrap over the memoised
per-item scores (the resamples behind `cec-eval compare`'s CI), independent of item order (data
parallel ranks hand items over in another order), and never a second embedding pass."""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

from cec_eval import stats
from cec_eval.tasks import metrics

ITEMS = [
    ("CO2 traps heat. So the planet warms.", ("The planet warms because CO2 traps heat.",), "test", ""),
    ("Ice melts. Sea level rises.", ("Melting land ice raises the sea level.", "Oceans expand as they warm."), "test", ""),
    ("Cats sleep a lot.", ("Deforestation releases stored carbon.",), "test", ""),
    ("Volcanoes emit some CO2.", ("Volcanic CO2 is about 1% of human emissions.",), "test", ""),
    ("", ("An empty answer scores zero.",), "test", ""),
    ("More rain falls in storms. Warm air holds more water.", ("Warmer air holds more water vapour, so storms rain harder.",), "test", ""),
]


def test_bootstrap_draws_the_resamples_of_compare():
    """Same seed, same generator: the percentile CI that `cec-eval compare` prints comes from the
    very distribution whose standard deviation is reported here."""
    from scipy import stats as scipy_stats

    x = np.random.default_rng(3).random(37)
    ci = stats.bootstrap_ci(x, n_resamples=1000, seed=metrics.BOOTSTRAP_SEED)
    res = scipy_stats.bootstrap((x,), np.mean, n_resamples=1000, method="percentile",
                                rng=np.random.default_rng(metrics.BOOTSTRAP_SEED), vectorized=False)
    assert (res.confidence_interval.low, res.confidence_interval.high) == (ci.low, ci.high)
    assert metrics.bootstrap_stderr(x, 1000) == pytest.approx(float(res.standard_error), rel=1e-12)
    # and it estimates the standard error of a mean: sd / sqrt(n) (no Bessel, as any bootstrap)
    assert metrics.bootstrap_stderr(x, 50_000) == pytest.approx(x.std() / math.sqrt(len(x)), rel=0.02)


def test_bootstrap_edge_cases():
    assert metrics.bootstrap_stderr([0.4, 0.4, 0.4], 100) == 0.0
    assert math.isnan(metrics.bootstrap_stderr([0.4], 100))
    assert math.isnan(metrics.bootstrap_stderr([0.1, 0.9], 1))
    # two items 0 and 1: resampled means are 0, 0.5, 1 with p = 1/4, 1/2, 1/4 -> sd = sqrt(1/8)
    assert metrics.bootstrap_stderr([0.0, 1.0], 40_000) == pytest.approx(math.sqrt(1 / 8), rel=0.02)


@pytest.fixture()
def fresh_memo(monkeypatch):
    monkeypatch.setattr(metrics, "_MEMO", type(metrics._MEMO)())


def test_cec_stderr_reuses_the_corpus_pass_and_ignores_order(fresh_memo, monkeypatch):
    from cec_eval import get_scorer

    value = metrics.agg_cec_sym(ITEMS)
    direct = get_scorer().score([i[0] for i in ITEMS], [list(i[1]) for i in ITEMS])
    assert value == pytest.approx(direct.mean["sym"], abs=1e-12)
    assert metrics.agg_cec_forward(ITEMS) == pytest.approx(direct.mean["forward"], abs=1e-12)
    by_item = dict(zip((i[0] for i in ITEMS), direct.sym))
    se = metrics.agg_cec_sym.stderr(ITEMS, iters=2000)
    # the bootstrap of the per-item scores, in the canonical (content) order
    canonical = [by_item[i[0]] for i in metrics._canonical(ITEMS)]
    assert se == pytest.approx(metrics.bootstrap_stderr(canonical, 2000), rel=1e-9) and se > 0

    # from here on any scoring would fail: resamples and other orders are served from the memo
    def boom(*a, **k):
        raise AssertionError("re-embedded")

    monkeypatch.setattr(type(get_scorer()), "score", boom)
    shuffled = ITEMS[:]
    random.Random(7).shuffle(shuffled)
    assert metrics.agg_cec_sym(shuffled) == value  # bit-identical: fsum over the canonical order
    assert metrics.agg_cec_sym.stderr(shuffled, iters=2000) == se
    assert metrics.agg_cec_backward.stderr(ITEMS, iters=500) > 0


def test_lexical_stderr_is_the_bootstrap_of_the_item_scores(fresh_memo):
    from cec_eval.metrics import get_metric

    items = [(p, r) for p, r, *_ in ITEMS]
    for name, agg in (("rougeL", metrics.agg_rougeL), ("bleu", metrics.agg_bleu)):
        canonical = metrics._canonical(items)
        scores = get_metric(name).score([i[0] for i in canonical], [list(i[1]) for i in canonical]).scores
        assert agg(items) == pytest.approx(math.fsum(scores) / len(scores), abs=1e-12)
        assert agg.stderr(list(reversed(items)), iters=3000) == pytest.approx(metrics.bootstrap_stderr(scores, 3000), rel=1e-9)
