"""Human-agreement statistics for COPA-SSE: exact values on small data, checked against
independent formulas, and the real COPA-SSE loader."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cec_eval.causal import agreement as ag
from cec_eval.errors import InputError


def brute_tau_b(x, y):
    """Kendall τ-b by counting pairs (independent of scipy)."""
    c = d = tx = ty = 0
    for i, j in itertools.combinations(range(len(x)), 2):
        sx, sy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
        if sx == 0 and sy == 0:
            continue
        if sx == 0:
            tx += 1
        elif sy == 0:
            ty += 1
        elif sx == sy:
            c += 1
        else:
            d += 1
    return (c - d) / math.sqrt((c + d + tx) * (c + d + ty))


def test_partial_tau_exact():
    x, y, z = np.array([1, 2, 3, 4, 5.0]), np.array([2, 1, 4, 3, 5.0]), np.array([1, 3, 2, 5, 4.0])
    txy, txz, tyz = brute_tau_b(x, y), brute_tau_b(x, z), brute_tau_b(y, z)
    assert (txy, txz, tyz) == pytest.approx((0.6, 0.6, 0.2))
    expected = (0.6 - 0.6 * 0.2) / math.sqrt((1 - 0.36) * (1 - 0.04))
    assert ag._partial_tau(x, y, z) == pytest.approx(expected)
    assert math.isnan(ag._partial_tau(x, y, x))  # x is a function of z: undefined


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)), min_size=6, max_size=30))
def test_partial_spearman_matches_the_textbook_formula(rows):
    x, y, z = (np.array(v, dtype=float) for v in zip(*rows))
    if min(np.ptp(x), np.ptp(y), np.ptp(z)) == 0:
        return
    rxy, rxz, ryz = (stats.spearmanr(a, b).statistic for a, b in ((x, y), (x, z), (y, z)))
    if max(abs(rxz), abs(ryz)) > 0.999:
        return
    expected = (rxy - rxz * ryz) / math.sqrt((1 - rxz**2) * (1 - ryz**2))
    assert ag._partial_spearman(x, y, z) == pytest.approx(expected, abs=1e-9)


def _toy() -> ag.RatedSet:
    texts = ["a b", "a b c", "a", "x y z w", "x", "x y", "q"]
    ratings = [2.0, 3.0, 1.0, 4.0, 1.0, 2.5, 3.0]
    groups = ["1", "1", "1", "2", "2", "2", "3"]
    return ag.RatedSet(texts, ratings, groups, [[t] for t in texts])


def test_within_question_tau_and_bootstrap():
    data = _toy()
    scores = np.array([0.5, 0.9, 0.1, 0.2, 0.3, 0.1, 0.7])
    res = ag.agreement(scores, data, n_boot=200, seed=1)
    # question 1: perfectly concordant (τ = 1); question 2: brute force; question 3 has < 3 items
    q2 = brute_tau_b([0.2, 0.3, 0.1], [4.0, 1.0, 2.5])
    assert res["within_tau"]["value"] == pytest.approx((1.0 + q2) / 2)
    assert res["within_tau"]["questions"] == 2
    assert res["pooled_tau"]["value"] == pytest.approx(brute_tau_b(scores, data.ratings))
    assert res["within_tau"]["ci_low"] <= res["within_tau"]["value"] <= res["within_tau"]["ci_high"]
    assert ag.agreement(scores, data, n_boot=200, seed=1)["within_tau"] == res["within_tau"]  # seeded
    assert math.isnan(res["within_partial_tau"]["value"])  # question 1's scores follow its word counts
    same = ag.paired_difference(scores, scores, data, "within_tau", n_boot=50)
    assert same["value"] == 0 and same["ci_low"] == 0 and same["ci_high"] == 0
    with pytest.raises(InputError, match="3 scores for 7 rated explanations"):
        ag.agreement([1, 2, 3], data)


def test_combine_references():
    owner = np.array([0, 0, 0, 1, 1])
    v = [0.1, 0.5, 0.3, 0.9, 0.7]
    np.testing.assert_allclose(ag.combine(v, owner, 2, "max"), [0.5, 0.9])
    np.testing.assert_allclose(ag.combine(v, owner, 2, "mean"), [0.3, 0.8])
    with pytest.raises(ValueError, match="multi-reference rule"):
        ag.combine(v, owner, 2, "min")


@pytest.mark.parametrize("rule", ["mean", "f3"])
@pytest.mark.parametrize("how", ["max", "mean"])
def test_pairwise_directions_reproduce_the_scorers_multi_reference_rules(rule, how):
    """Scoring (explanation, one reference) pairs and combining them gives exactly what the scorer
    gives with all references at once, for both multi-reference rules and aggregation rules."""
    from cec_eval import CECScorer
    from cec_eval.testing import BagOfWordsEncoder

    rows = [{"id": "q", "human-explanations": [
        {"text": t, "filtered-avg-rating": r} for t, r in [
            ("Rain causes floods. Floods ruin crops.", 4.0), ("Floods come from rain.", 3.0),
            ("The sky is blue.", 1.0), ("Heavy rain makes rivers flood the fields.", 4.5)]]}]
    data = ag.load_copa_sse(rows)
    scorer = CECScorer(model=BagOfWordsEncoder(), splitter="regex", aggregation=rule,
                       multi_ref="max-sym" if how == "max" else "mean")
    whole = scorer.score(data.texts, data.references).sym
    preds, refs, owner = ag.pairs(data)
    per_pair = scorer.score(preds, refs)
    got = ag.combine_directions(per_pair.forward, per_pair.backward, owner, len(data), how, rule)
    np.testing.assert_allclose(got, whole, atol=1e-12)


def test_loader_builds_leave_one_out_references():
    rows = [
        {"id": "7", "human-explanations": [
            {"text": "Sun causes shadows.", "filtered-avg-rating": 3.0},
            {"text": "  The  sun was up. ", "filtered-ratings": [4, 5]},
            {"text": "Light is blocked.", "filtered-avg-rating": 2.0},
        ]},
        {"id": "8", "human-explanations": [{"text": "Alone.", "filtered-avg-rating": 3.0}]},  # skipped
    ]
    data = ag.load_copa_sse(rows)
    assert data.texts == ["Sun causes shadows.", "The sun was up.", "Light is blocked."]
    assert data.ratings == [3.0, 4.5, 2.0]
    assert data.references[1] == ["Sun causes shadows.", "Light is blocked."]
    preds, refs, owner = ag.pairs(data)
    assert len(preds) == 6 and list(owner) == [0, 0, 1, 1, 2, 2]
    with pytest.raises(InputError, match="row 0 \\(id 9\\): 'human-explanations' is missing"):
        ag.load_copa_sse([{"id": "9"}])
    with pytest.raises(InputError, match="row 0 explanation 1: no ratings"):
        ag.load_copa_sse([{"id": "9", "human-explanations": [{"text": "a", "all-ratings": [1]}, {"text": "b"}]}])


def test_real_copa_sse_dev():
    data = ag.load_copa_sse()
    assert len(set(data.groups)) == 1000
    assert all(1.0 <= r <= 5.0 for r in data.ratings)
    sizes = {g: data.groups.count(g) for g in set(data.groups[:50])}
    for i in range(50):
        assert len(data.references[i]) == sizes[data.groups[i]] - 1


def test_same_length_pair_accuracy_exact():
    """Hand-computed: question a has explanations of 3, 4, 9 words rated 1, 2, 3; question b two of 5
    words rated 2, 2 (no pair: equal ratings). Same-length pairs (|Δwords| ≤ 1, ratings differ): only
    (a0, a1). Score ordering it right -> 1.0, wrong -> 0.0, tied -> 0.5."""
    texts = ["w " * 3, "w " * 4, "w " * 9, "w " * 5, "v " * 5]
    data = ag.RatedSet([t.strip() for t in texts], [1, 2, 3, 2, 2], ["a", "a", "a", "b", "b"])
    stat = ("same_length_pair_acc",)
    for scores, expected in (([0.1, 0.2, 0.0, 0.5, 0.1], 1.0), ([0.3, 0.2, 0.9, 0.5, 0.1], 0.0), ([0.2, 0.2, 0.0, 0.0, 0.0], 0.5)):
        out = ag.agreement(scores, data, n_boot=0, statistics=stat)["same_length_pair_acc"]
        assert out["value"] == expected and out["pairs"] == 1
    # word count itself cannot order pairs of (nearly) equal length better than chance by construction of ties
    assert ag.agreement(data.words, data, n_boot=0, statistics=stat)["same_length_pair_acc"]["value"] == 1.0  # 3 < 4 words, rated 1 < 2


def test_load_rated_all_three_sets():
    for name, scale in (("copa_sse_dev", (1, 5)), ("wiegreffe_cqa_train", (0, 1)), ("wiegreffe_snli_train", (0, 1))):
        d = ag.load_rated(name, max_questions=5)
        assert len(set(d.groups)) == 5 and all(scale[0] <= r <= scale[1] for r in d.ratings)
        assert all(t not in refs and refs for t, refs in zip(d.texts, d.references))
