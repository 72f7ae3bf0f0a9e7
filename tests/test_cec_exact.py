"""CEC against hand-computed values (Eq. 2 / Algorithm 1 of seed 000), with injected encoders."""
import doctest

import numpy as np
import pytest

import cec_eval.scorer
import cec_eval.testing
from cec_eval import CECScorer
from cec_eval.testing import BagOfWordsEncoder


class TableEncoder:
    """Sentence -> fixed vector, so every cosine is known exactly."""

    name = "table"

    def __init__(self, table):
        self.table = {k: np.asarray(v, dtype=np.float32) for k, v in table.items()}
        self.calls = []

    def __call__(self, sentences):
        self.calls.append(list(sentences))
        return np.stack([self.table[s] for s in sentences])


# angles chosen so cosines are simple: cos(0)=1, cos(60°)=0.5, cos(90°)=0
V = {
    "A.": [1, 0, 0],
    "B.": [0.5, np.sqrt(3) / 2, 0],  # cos(A,B)=0.5
    "C.": [0, 0, 1],  # orthogonal to A and B
    "D.": [0, 1, 0],  # cos(B,D)=sqrt(3)/2
}


def scorer(**kw):
    return CECScorer(model=TableEncoder(V), splitter="regex", **kw)


def test_eq2_two_by_one():
    # generated: A, C ; reference: B
    # forward: max cos(A,B)=0.5, max cos(C,B)=0 -> 0.25 ; backward: max(cos(B,A), cos(B,C)) = 0.5
    r = scorer().score(["A. C."], ["B."])
    assert r.forward[0] == pytest.approx(0.25)
    assert r.backward[0] == pytest.approx(0.5)
    assert r.sym[0] == pytest.approx(0.375)


def test_eq2_two_by_two():
    # generated: A, D ; reference: B, C
    # forward: A->max(0.5, 0)=0.5 ; D->max(cos(D,B)=sqrt3/2, 0)=0.8660 -> 0.6830
    # backward: B->max(0.5, 0.8660)=0.8660 ; C->max(0, 0)=0 -> 0.4330
    r = scorer().score(["A. D."], ["B. C."])
    s3 = np.sqrt(3) / 2
    assert r.forward[0] == pytest.approx((0.5 + s3) / 2, abs=1e-6)
    assert r.backward[0] == pytest.approx(s3 / 2, abs=1e-6)
    assert r.sym[0] == pytest.approx(((0.5 + s3) / 2 + s3 / 2) / 2, abs=1e-6)
    assert r.mean["sym"] == pytest.approx(r.sym[0])


def test_corpus_mean_and_empty_prediction():
    r = scorer().score(["A.", "", "  \n "], ["A.", "B.", "C."])
    assert r.sym == pytest.approx([1.0, 0.0, 0.0])
    assert r.empty_predictions == [1, 2]
    assert r.mean["sym"] == pytest.approx(1 / 3)


def test_multi_reference_takes_best_sym_and_keeps_its_directions():
    # against [B]: sym 0.375 (see above); against [A, C]: forward 1, backward (1+1)/2 -> sym 1
    r = scorer().score(["A. C."], [["B.", "A. C."]])
    assert r.reference_index == [1]
    assert (r.forward[0], r.backward[0], r.sym[0]) == pytest.approx((1.0, 1.0, 1.0))
    assert "nrefs:2" in r.signature


def test_unique_sentences_embedded_once_and_cached_across_calls():
    enc = TableEncoder(V)
    s = CECScorer(model=enc, splitter="regex")
    s.score(["A. B. A.", "B."], ["A.", "A. B."])
    assert len(enc.calls) == 1 and sorted(enc.calls[0]) == ["A.", "B."]
    s.score(["D."], ["A."])  # only the new sentence is encoded
    assert enc.calls[1] == ["D."]
    s.score(["A. B."], ["D."])
    assert len(enc.calls) == 2


def test_alignment_report_names_missed_and_unsupported_sentences():
    r = scorer().score(["A. D."], ["B. C."], details=True)
    a = r.alignments[0]
    assert [(m.sentence, m.match) for m in a.generated_to_reference] == [("A.", "B."), ("D.", "B.")]
    assert [(m.sentence, m.match) for m in a.reference_to_generated] == [("B.", "D."), ("C.", "A.")]
    assert [m.sentence for m in a.missed(0.5)] == ["C."]  # the reference point nobody covers
    assert a.unsupported(0.6) == [a.generated_to_reference[0]]


def test_rescaling_uses_baseline_per_direction(tmp_path):
    import json

    from cec_eval.baseline import baseline_key

    s = scorer()
    b = {"forward": 0.2, "backward": 0.4, "sym": 0.3}
    path = tmp_path / "b.json"
    path.write_text(json.dumps({baseline_key(s): b}))
    s = CECScorer(model=TableEncoder(V), splitter="regex", rescale_with_baseline=True, baseline_file=path)
    r = s.score(["A. C."], ["B."])
    assert r.forward[0] == pytest.approx((0.25 - 0.2) / 0.8)
    assert r.backward[0] == pytest.approx((0.5 - 0.4) / 0.6)
    assert r.sym[0] == pytest.approx((0.375 - 0.3) / 0.7)
    assert r.raw["sym"] == pytest.approx([0.375])
    assert "rescale:b=0.2000/0.4000/0.3000" in r.signature


def test_missing_baseline_is_a_clear_error(tmp_path):
    s = CECScorer(model=TableEncoder(V), splitter="regex", rescale_with_baseline=True, baseline_file=tmp_path / "none.json")
    with pytest.raises(KeyError, match="cec-eval baseline"):
        s.score(["A."], ["A."])


def test_signature_fields():
    r = CECScorer(model=BagOfWordsEncoder()).score(["a b."], ["a b."])
    parts = dict(p.split(":", 1) for p in r.signature.split("|"))
    assert parts["cec"] == "plain" and parts["emb"] == "bag-of-words@custom"
    assert parts["split"].startswith("nupunkt-") and parts["split"].endswith("+smart")
    assert parts["agg"] == "mean" and parts["mref"] == "max-sym" and parts["rescale"] == "no"
    assert parts["version"] == __import__("cec_eval").__version__
    assert str(r).startswith("CEC_sym = 1.0000") and r.signature in str(r)


def test_doctests():
    import cec_eval.causal.links
    import cec_eval.causal.matcher

    for module in (cec_eval.scorer, cec_eval.testing, cec_eval.causal.links, cec_eval.causal.matcher):
        failed, attempted = doctest.testmod(module)
        assert attempted > 0 and failed == 0


def test_multi_reference_mean_rule():
    # against [B]: (0.25, 0.5, 0.375); against [A, C]: (1, 1, 1) -> mean (0.625, 0.75, 0.6875)
    r = CECScorer(model=TableEncoder(V), splitter="regex", multi_ref="mean").score(["A. C."], [["B.", "A. C."]])
    assert (r.forward[0], r.backward[0], r.sym[0]) == pytest.approx((0.625, 0.75, 0.6875))
    assert r.reference_index == [1]  # the alignment report still shows the best reference
    assert "mref:mean" in r.signature
    with pytest.raises(ValueError, match="multi-reference rule"):
        CECScorer(model=TableEncoder(V), multi_ref="min")


def test_recall_weighted_aggregation_f3():
    # generated A, C vs reference B: forward 0.25, backward 0.5
    # f3: (1 + 9) * 0.25 * 0.5 / (9 * 0.25 + 0.5) = 1.25 / 2.75 = 0.454545...
    r = scorer(aggregation="f3").score(["A. C."], ["B."])
    assert (r.forward[0], r.backward[0]) == pytest.approx((0.25, 0.5))
    assert r.sym[0] == pytest.approx(1.25 / 2.75)
    assert "|agg:f3|" in r.signature
    # f1 is the plain harmonic mean: 2 * 0.25 * 0.5 / 0.75 = 1/3
    assert scorer(aggregation="f1").score(["A. C."], ["B."]).sym[0] == pytest.approx(1 / 3)
    # a direction <= 0 falls back to min(forward, backward): C vs A is orthogonal -> 0
    assert scorer(aggregation="f3").score(["C."], ["A."]).sym[0] == pytest.approx(0.0, abs=1e-7)


def test_recall_weighted_mean_rule_combines_the_averaged_directions():
    # against [B]: (0.25, 0.5); against [A, C]: (1, 1) -> means (0.625, 0.75) -> f3 = 10*0.625*0.75/(9*0.625+0.75)
    r = scorer(aggregation="f3", multi_ref="mean").score(["A. C."], [["B.", "A. C."]])
    assert r.sym[0] == pytest.approx(10 * 0.625 * 0.75 / (9 * 0.625 + 0.75))


def test_aggregation_rule_is_checked_and_defaults_follow_the_variant():
    for bad in ("median", "f0", "f-1", "fx", "f"):
        with pytest.raises(ValueError, match="aggregation"):
            scorer(aggregation=bad)
    assert scorer().aggregation == "mean"
    assert "|agg:mean|" in scorer().signature().format()
    assert scorer(variant="causal").aggregation == "mean"  # f3 was a length proxy (docs/causal_cec.md)
    assert scorer(variant="causal", aggregation="f3").aggregation == "f3"
