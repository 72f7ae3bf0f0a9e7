"""The real all-MiniLM-L6-v2: CEC ranks a paraphrase above an unrelated explanation on the same
topic, the cache spares shared references, and the shipped baseline matches the model."""
import pytest

from cec_eval import CECScorer, get_scorer
from cec_eval.baseline import baseline_key, load_baselines

REFERENCE = (
    "The evidence shows that Arctic sea ice has declined sharply since 1979. "
    "Warmer air and ocean temperatures cause the ice to melt earlier each summer. "
    "Therefore the claim that Arctic ice is recovering is refuted."
)
PARAPHRASE = (
    "Since 1979 the extent of Arctic sea ice has dropped steeply. "
    "Because the air and the sea are warmer, the ice melts sooner every summer. "
    "So the claim of an Arctic ice recovery is contradicted by the evidence."
)
UNRELATED_SAME_TOPIC = (
    "Climate models are run on supercomputers in several countries. "
    "Scientists publish their results in peer-reviewed journals. "
    "Many conferences about the climate take place every year."
)


@pytest.fixture(scope="module")
def scorer(minilm):
    return CECScorer(model=minilm)


def test_paraphrase_beats_unrelated_same_topic(scorer):
    r = scorer.score([PARAPHRASE, UNRELATED_SAME_TOPIC, REFERENCE], [REFERENCE] * 3)
    paraphrase, unrelated, identical = r.sym
    assert identical == pytest.approx(1.0, abs=1e-5)
    assert paraphrase > unrelated + 0.3
    assert 0.7 < paraphrase < 1.0 and unrelated < 0.4


def test_shared_references_are_embedded_once_across_systems(scorer):
    scorer.embedder.clear_cache()
    refs = [REFERENCE, PARAPHRASE]
    before = scorer.embedder.stats["encoded"]
    scorer.score([UNRELATED_SAME_TOPIC, REFERENCE], refs)
    first = scorer.embedder.stats["encoded"] - before
    scorer.score([PARAPHRASE, UNRELATED_SAME_TOPIC], refs)  # a second system: nothing new
    assert scorer.embedder.stats["encoded"] - before == first == 9


def test_default_scorer_has_a_shipped_baseline_and_rescales():
    scorer = get_scorer()
    assert baseline_key(scorer) in load_baselines()
    raw = scorer.score([PARAPHRASE], [REFERENCE])
    rescaled = scorer.score([PARAPHRASE], [REFERENCE], rescale=True)
    b = scorer.baseline["sym"]
    assert 0.2 < b < 0.45
    assert rescaled.sym[0] == pytest.approx((raw.sym[0] - b) / (1 - b))
    assert "rescale:b=" in rescaled.signature and "rescale:no" in raw.signature
    assert "emb:all-MiniLM-L6-v2@" in raw.signature


def test_model_given_as_path_matches_model_object(minilm_path, scorer):
    by_path = CECScorer(model=minilm_path)
    a = by_path.score([PARAPHRASE], [REFERENCE])
    b = scorer.score([PARAPHRASE], [REFERENCE])
    assert a.sym[0] == pytest.approx(b.sym[0], abs=1e-6)
    assert a.signature.split("|")[2].split("@")[1] == b.signature.split("|")[2].split("@")[1]


def test_missing_model_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="never downloads"):
        CECScorer(model=str(tmp_path / "no-such-model"))
