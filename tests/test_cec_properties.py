"""Properties of Eq. 2 that hold for any texts (hypothesis), with a deterministic encoder."""
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cec_eval import CECScorer
from cec_eval.testing import BagOfWordsEncoder

WORDS = ["heat", "co2", "ice", "sea", "rises", "melts", "warms", "because", "so", "carbon", "ocean", "storms"]
sentence = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda ws: " ".join(ws) + ".")
explanation = st.lists(sentence, min_size=1, max_size=6)

SCORER = CECScorer(model=BagOfWordsEncoder(), splitter="regex")
settings.register_profile("cec", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cec")


@given(explanation, explanation)
def test_sym_is_symmetric_and_directions_swap(gen, ref):
    a = SCORER.score([" ".join(gen)], [" ".join(ref)])
    b = SCORER.score([" ".join(ref)], [" ".join(gen)])
    assert a.sym[0] == pytest.approx(b.sym[0], abs=1e-6)
    assert a.forward[0] == pytest.approx(b.backward[0], abs=1e-6)


@given(explanation, explanation)
def test_bounds(gen, ref):
    r = SCORER.score([" ".join(gen)], [" ".join(ref)])
    for d in (r.forward[0], r.backward[0], r.sym[0]):
        assert -1.0 <= d <= 1.0 + 1e-6
    assert min(r.forward[0], r.backward[0]) - 1e-9 <= r.sym[0] <= max(r.forward[0], r.backward[0]) + 1e-9


@given(explanation)
def test_identical_texts_score_one(gen):
    r = SCORER.score([" ".join(gen)], [" ".join(gen)])
    assert (r.forward[0], r.backward[0], r.sym[0]) == pytest.approx((1.0, 1.0, 1.0), abs=1e-6)


@given(explanation, explanation, st.randoms(use_true_random=False))
def test_sentence_order_invariance(gen, ref, rnd: random.Random):
    shuffled_gen, shuffled_ref = gen[:], ref[:]
    rnd.shuffle(shuffled_gen)
    rnd.shuffle(shuffled_ref)
    a = SCORER.score([" ".join(gen)], [" ".join(ref)])
    b = SCORER.score([" ".join(shuffled_gen)], [" ".join(shuffled_ref)])
    assert a.sym[0] == pytest.approx(b.sym[0], abs=1e-6)


@given(st.lists(st.tuples(explanation, explanation), min_size=1, max_size=5))
def test_corpus_mean_is_mean_of_instances_and_batching_does_not_change_scores(pairs):
    preds = [" ".join(g) for g, _ in pairs]
    refs = [" ".join(r) for _, r in pairs]
    together = SCORER.score(preds, refs)
    alone = [SCORER.score([p], [r]).sym[0] for p, r in zip(preds, refs)]
    assert together.sym == pytest.approx(alone, abs=1e-6)
    assert together.mean["sym"] == pytest.approx(sum(alone) / len(alone), abs=1e-6)


@given(explanation, st.lists(explanation, min_size=1, max_size=3))
def test_multi_reference_is_max_over_single_references(gen, refs):
    pred = " ".join(gen)
    texts = [" ".join(r) for r in refs]
    multi = SCORER.score([pred], [texts])
    singles = [SCORER.score([pred], [t]).sym[0] for t in texts]
    assert multi.sym[0] == pytest.approx(max(singles), abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(-1, 1), st.floats(-1, 1), st.floats(0.1, 5), st.floats(0, 0.5))
def test_f_beta_rule_is_a_monotone_mean(f, b, beta, step):
    """f<β>: between min and max of the directions, x for equal directions, monotone in both,
    more recall-weighted as β grows."""
    from cec_eval.aggregate import combine

    rule = f"f{beta:.3f}"
    s = combine(f, b, rule)
    assert min(f, b) - 1e-9 <= s <= max(f, b) + 1e-9
    assert combine(f, f, rule) == pytest.approx(f)
    assert combine(min(f + step, 1), b, rule) >= s - 1e-9
    assert combine(f, min(b + step, 1), rule) >= s - 1e-9
    if 0 < f < b:
        assert combine(f, b, f"f{beta + 1:.3f}") >= s - 1e-9
