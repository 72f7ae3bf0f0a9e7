"""The direction-aware matcher with the real MiniLM: reversals penalised, paraphrases kept,
non-causal text scored exactly as plain CEC, signature and front doors."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval import CECScorer
from cec_eval.causal import CausalMatcher
from cec_eval.embed import Embedder
from cec_eval.testing import BagOfWordsEncoder


@pytest.fixture(scope="module")
def scorers(minilm):
    """plain and causal scorers sharing one loaded MiniLM."""
    return CECScorer(model=minilm), CECScorer(model=minilm, variant="causal")


REFERENCE = "Rising CO2 levels trap heat, so the planet warms."
PARAPHRASE = "The planet warms because rising CO2 levels trap heat."
REVERSAL = "Rising CO2 levels trap heat because the planet warms."


def test_reversal_is_penalised_and_paraphrase_kept(scorers):
    plain, causal = scorers
    p = plain.score([PARAPHRASE, REVERSAL], [REFERENCE, REFERENCE]).sym
    c = causal.score([PARAPHRASE, REVERSAL], [REFERENCE, REFERENCE]).sym
    assert p[1] > p[0]  # plain CEC prefers the reversal: the failure this variant fixes
    assert c[0] > c[1] + 0.3
    assert c[0] > 0.8  # a same-direction paraphrase still scores high


def test_swapped_link_scores_lower_than_the_same_link(scorers):
    plain, causal = scorers
    m = causal.matcher
    same, swapped = "Heavy rain causes floods.", "Floods cause heavy rain."
    res = causal.score([same, swapped], [same, same])
    assert res.sym[0] == pytest.approx(1.0, abs=1e-5)
    direct, sw = m.link_scores(swapped, same)
    assert sw > direct + 0.3  # the swap is detected ...
    cos = plain.score([swapped], [same]).sym[0]
    # ... and penalised by exactly max(swapped - direct, crossed words) (w = 0, pen = 1): the links
    # are in the same words (same_wording 1.0), and all of them crossed (crossed_words 1.0)
    from cec_eval.causal.matcher import crossed_words, same_wording

    assert same_wording("Floods", "heavy rain", "Heavy rain", "floods") == 1.0
    assert crossed_words("Floods", "heavy rain", "Heavy rain", "floods") == 1.0
    assert res.sym[1] == pytest.approx(cos - max(sw - direct, 1.0), abs=1e-5)


NON_CAUSAL_PRED = [
    "The sky is blue. The grass is green.",
    "Photosynthesis converts light into chemical energy.",
    "Water boils at 100 degrees Celsius at sea level.",
]
NON_CAUSAL_REF = [
    "Grass is green and the sky is blue.",
    ["Plants turn light into chemical energy.", "Chlorophyll absorbs light."],
    "At sea level water boils at 100 C.",
]


def test_fallback_equals_plain_cec_on_non_causal_text(scorers, minilm):
    """Without links the causal matcher is the cosine: with the same aggregation rule the scores
    are plain CEC's, exactly, under either rule (the variant's default is Eq. 2's mean, as plain's)."""
    plain, causal = scorers
    for rule in ("mean", "f3"):
        p = CECScorer(model=minilm, aggregation=rule).score(NON_CAUSAL_PRED, NON_CAUSAL_REF)
        c = CECScorer(model=minilm, variant="causal", aggregation=rule).score(NON_CAUSAL_PRED, NON_CAUSAL_REF)
        assert c.forward == p.forward and c.backward == p.backward and c.sym == p.sym
    assert causal.aggregation == "mean" and plain.aggregation == "mean"
    assert causal.score(NON_CAUSAL_PRED, NON_CAUSAL_REF).sym == plain.score(NON_CAUSAL_PRED, NON_CAUSAL_REF).sym


def test_one_sided_link_falls_back_to_cosine(scorers):
    plain, causal = scorers
    # the reference states no link of its own (a lone sentence's narrative link has nothing to point to)
    pred, ref = ["The flood was caused by heavy rain."], ["It rained all night."]
    # one sentence each: forward = backward, so every aggregation rule gives the same sym
    assert causal.score(pred, ref).sym == plain.score(pred, ref).sym
    # with a link on both sides that lines up ("It rained heavily and the river flooded": narrative
    # order), the reward lifts the pair above the cosine (causal-v18)
    ref = ["It rained heavily and the river flooded."]
    assert causal.score(pred, ref).sym[0] > plain.score(pred, ref).sym[0]


def test_signature_names_variant_and_parameters(scorers):
    _, causal = scorers
    sig = causal.score(["A causes B."], ["A causes B."]).signature
    assert sig.startswith("cec:causal-v25(links=surface+roles:spacy-")
    assert "|agg:mean|" in sig
    assert ",w=0,pen=1,lex=0.7,scope=text,rew=0.25)" in sig
    m = CausalMatcher(weight=0.25, penalty=2.0, lexical=False, reward=0.0)
    assert m.name.endswith(",w=0.25,pen=2,scope=text)")
    assert CausalMatcher(scope="pair").name.endswith(",scope=pair)")  # the reward is a text-scope term


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="weight"):
        CausalMatcher(weight=1.5)
    with pytest.raises(ValueError, match="penalty"):
        CausalMatcher(penalty=-1)


SENTENCES = st.sampled_from(
    [
        "Heavy rain causes floods.", "Floods cause heavy rain.", "The dam broke because the water rose.",
        "The water rose, so the dam broke.", "The sky is blue.", "Because it was cold, the lake froze.",
        "The lake froze due to the cold.", "Cold weather leads to frozen lakes.", "Birds sing in spring.",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(SENTENCES, min_size=1, max_size=4), st.lists(SENTENCES, min_size=1, max_size=4),
       st.floats(0, 1), st.floats(0, 3), st.sampled_from(["text", "pair"]))
def test_similarity_is_bounded_and_reduces_to_cosine(gen, ref, weight, penalty, scope):
    embedder = Embedder(BagOfWordsEncoder())
    m = CausalMatcher(weight=weight, penalty=penalty, scope=scope)
    m.prepare(list(dict.fromkeys(gen + ref)), embedder)
    g, a = embedder.encode(gen), embedder.encode(ref)
    sim = m.similarity(gen, ref, g, a)
    assert sim.shape == (len(gen), len(ref))
    assert np.all(sim >= -1) and np.all(sim <= 1)
    off = CausalMatcher(weight=0, penalty=0)
    off.prepare(list(dict.fromkeys(gen + ref)), embedder)
    np.testing.assert_allclose(off.similarity(gen, ref, g, a), np.clip(g @ a.T, -1, 1))
    # rows of sentences without links are plain cosine, less (scope="text") one shift R >= 0 that
    # is the same for every such row
    free = [i for i, s in enumerate(gen) if not m.links(s)]
    shift = (np.clip(g @ a.T, -1, 1) - sim)[free]
    shift = shift[sim[free] > -1 + 1e-6]  # entries not clipped at -1
    if shift.size:
        assert np.ptp(shift) < 1e-5 and shift.min() > -1e-6
        if scope == "pair":
            np.testing.assert_allclose(shift, 0, atol=1e-6)


def test_a_reversed_claim_lowers_the_whole_text_pair_not_only_its_sentence():
    """Exact, bag-of-words encoder: "Floods cause heavy rain." against "Heavy rain causes floods."
    is reversed in the same words (crossed_words 1.0, so reversal 1.0). With scope="text" every
    sentence pair of the two texts loses penalty x 1.0, so the greeting and sign-off the texts share
    word for word cannot outweigh the reversed claim; with scope="pair" (causal-v12) they keep their
    cosine of 1."""
    enc = Embedder(BagOfWordsEncoder())
    ref = ["Hi Sam.", "Heavy rain causes floods.", "Best wishes, Priya."]
    rev = ["Hi Sam.", "Floods cause heavy rain.", "Best wishes, Priya."]
    g, a = enc.encode(rev), enc.encode(ref)
    cos = np.clip(g @ a.T, -1, 1)
    sims = {}
    for scope in ("text", "pair"):
        m = CausalMatcher(scope=scope)
        m.prepare(ref + rev, enc)
        sims[scope] = m.similarity(rev, ref, g, a)
    np.testing.assert_allclose(sims["text"], np.clip(cos - 1.0, -1, 1), atol=1e-6)
    np.testing.assert_allclose(sims["pair"][1, 1], cos[1, 1] - 1.0, atol=1e-6)
    np.testing.assert_allclose(np.diag(sims["pair"])[[0, 2]], [1.0, 1.0], atol=1e-6)
    assert CausalMatcher(scope="pair").name.endswith(",scope=pair)")
    with pytest.raises(ValueError, match="scope"):
        CausalMatcher(scope="sentence")


def test_a_framed_reversal_scores_below_a_bare_paraphrase(scorers):
    """The real MiniLM on a reference with a greeting and a sign-off: the paraphrase drops the frame,
    the reversal keeps it word for word; plain CEC prefers the reversal, the causal variant does not."""
    plain, causal = scorers
    ref = "Hi Dana,\nThe parcel is late because the courier's van broke down. I'll call you tomorrow.\nThanks, Omar"
    para = "A breakdown of the delivery van held up the package."
    rev = "Hi Dana,\nThe courier's van broke down because the parcel is late. I'll call you tomorrow.\nThanks, Omar"
    p = plain.score([para, rev], [ref, ref]).sym
    c = causal.score([para, rev], [ref, ref]).sym
    assert p[1] > p[0] and c[0] > c[1]


def test_evaluate_and_api_route_to_the_variant(minilm_path):
    from cec_eval import score

    res = score([REVERSAL], [REFERENCE], model=minilm_path, variant="causal")
    assert res.signature.startswith("cec:causal-v25(")


@pytest.mark.slow
def test_evaluate_module_and_cli_route_to_the_variant(tmp_path, monkeypatch):
    import json
    import subprocess
    import sys
    from pathlib import Path

    import evaluate

    from cec_eval.evaluate_hook import module_path

    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "modules"))
    r = evaluate.load(module_path("cec")).compute(
        predictions=[PARAPHRASE, REVERSAL], references=[REFERENCE, REFERENCE], variant="causal"
    )
    assert r["signature"].startswith("cec:causal-v25(links=surface+roles:") and "|agg:mean|" in r["signature"]
    assert r["scores"][0]["sym"] > r["scores"][1]["sym"] + 0.3
    two = dict(predictions=["CO2 traps heat. The planet warms."], references=["The planet warms because CO2 traps heat."])
    r_mean = evaluate.load(module_path("cec")).compute(**two, variant="causal")
    r_f3 = evaluate.load(module_path("cec")).compute(**two, variant="causal", aggregation="f3")
    assert "|agg:mean|" in r_mean["signature"] and "|agg:f3|" in r_f3["signature"]
    f, b = r_f3["cec_forward"], r_f3["cec_backward"]  # 2 sentences vs 1: the rules differ
    assert r_mean["cec_sym"] == pytest.approx((f + b) / 2) and r_f3["cec_sym"] == pytest.approx(10 * f * b / (9 * f + b))

    (tmp_path / "p.txt").write_text(PARAPHRASE + "\n" + REVERSAL + "\n")
    (tmp_path / "r.txt").write_text(REFERENCE + "\n" + REFERENCE + "\n")
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "cec-eval"), "score", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "r.txt"), "--variant", "causal",
         "--aggregation", "f2", "--no-progress", "--output", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["signature"].startswith("cec:causal-v25(") and "|agg:f2|" in result["signature"]
    assert result["scores"][0]["sym"] > result["scores"][1]["sym"] + 0.3


CROSS_REF = "The pipes froze overnight. As a result, the kitchen flooded."
CROSS_CASES = {
    "paraphrase, one sentence": ("The kitchen flooded because the pipes froze overnight.", True),
    "paraphrase, backward reason": ("The kitchen flooded. This is because the pipes froze overnight.", True),
    "reversal, reference wording": ("The kitchen flooded. As a result, the pipes froze overnight.", False),
    "reversal, backward reason": ("The pipes froze overnight. This is because the kitchen flooded.", False),
}


def test_links_across_sentences_order_paraphrases_above_reversals(scorers):
    plain, causal = scorers
    texts = [t for t, _ in CROSS_CASES.values()]
    c = dict(zip(CROSS_CASES, causal.score(texts, [CROSS_REF] * len(texts)).sym))
    for para in ("paraphrase, one sentence", "paraphrase, backward reason"):
        for rev in ("reversal, reference wording", "reversal, backward reason"):
            assert c[para] > c[rev] + 0.1, (para, rev, c)
    # plain CEC cannot tell: the reversal in the reference's own wording scores at least as high
    p = dict(zip(CROSS_CASES, plain.score(texts, [CROSS_REF] * len(texts)).sym))
    assert p["reversal, reference wording"] > p["paraphrase, one sentence"]


def test_backward_link_belongs_to_both_sentences_and_uses_the_previous_sentence():
    """Exact: with a bag-of-words encoder, the link of "A. Therefore B." has the embedding of "A." as its
    cause and that of the span "B" as its effect ("Therefore B"), in both sentence rows."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    sents = ["Ice melts.", "Therefore water flows."]
    m.prepare(sents, enc)
    vecs = enc.encode(sents)
    links = m.text_links(sents, vecs)
    assert sorted(links) == [0, 1]
    span = enc.encode(["water flows"])[0]
    for k in (0, 1):
        causes, effects, cause_texts, effect_texts, sequence = links[k]
        assert sequence == [False]  # "Therefore" is a connective, not narrative order
        np.testing.assert_allclose(causes[0], vecs[0], atol=1e-6)
        np.testing.assert_allclose(effects[0], span, atol=1e-6)
        assert (cause_texts[0], effect_texts[0]) == ("Ice melts.", "water flows")  # for the word-level test
    # a backward link in a first sentence has nothing to point to
    assert m.text_links(["Therefore water flows."], vecs[1:]) == {}


def test_causal_variant_scores_a_text_over_spacy_max_length():
    """#15 row 7: a text of more than 1,000,000 characters is scored under --variant causal as under plain."""
    long = "The ground was wet because it rained " + "and rained " * 100_000 + "."
    assert len(long) > 1_000_000
    enc = BagOfWordsEncoder()
    plain = CECScorer(model=enc).score([long], ["The ground was wet because it rained."])
    causal = CECScorer(model=enc, variant="causal").score([long], ["The ground was wet because it rained."])
    assert len(causal.sym) == 1 and np.isfinite(causal.sym[0]) and np.isfinite(plain.sym[0])


@pytest.mark.slow
def test_cli_scores_a_text_over_spacy_max_length_with_the_causal_variant(tmp_path):
    """#15 row 7 end to end: `cec-eval score --variant causal` on a 1.1M-character text exits 0 with a score."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "p.txt").write_text("The ground was wet because it rained " + "and rained " * 100_000 + ".\n")
    (tmp_path / "r.txt").write_text("The ground was wet because it rained.\n")
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "cec-eval"), "score", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "r.txt"),
         "--variant", "causal", "--no-progress", "--output", str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert result["n"] == 1 and result["signature"].startswith("cec:causal-v25(") and 0 < result["scores"][0]["sym"] <= 1


@pytest.mark.parametrize("g, a, expected", [
    (("After the quake", "a tsunami struck the coast"), ("After the tsunami", "a quake struck the coast"), 0.5),
    (("Smoking", "lung cancer"), ("smoking", "cancer of the lung"), 0.0),  # same sides: no crossing
    (("Rain", "floods"), ("floods", "rain"), 1.0),
    (("rain and floods", "floods"), ("floods", "rain"), 1.0),  # "floods" on both sides of g says nothing
])
def test_crossed_words_is_the_share_of_shared_words_on_the_other_side(g, a, expected):
    from cec_eval.causal.matcher import crossed_words

    assert crossed_words(*g, *a) == pytest.approx(expected)


def test_lexical_swap_test_penalises_a_reversal_the_span_embeddings_miss():
    """With the bag-of-words encoder the span test sees "After the quake, a tsunami struck the coast"
    and its reversal as a direct match (the words that stay in place dominate); the word-level test
    does not, so only lexical=True scores the reversal below the identical text."""
    enc = BagOfWordsEncoder()
    ref = "After the quake struck, a tsunami hit the coast."
    rev = "After the tsunami struck, a quake hit the coast."
    plain = CECScorer(model=enc, variant=CausalMatcher(lexical=False)).score([rev], [ref]).sym[0]
    lex = CECScorer(model=enc, variant=CausalMatcher(lexical=True)).score([rev], [ref]).sym[0]
    assert lex < plain


@pytest.mark.parametrize("g, a, expected", [
    (("Rain", "floods"), ("floods", "rain"), 1.0),
    (("Heavy rain", "floods"), ("storms", "flooding"), 0.25),  # {heavi, rain, flood} vs {storm, flood}
    (("it", "them"), ("rain", "floods"), 0.0),  # no content word
])
def test_same_wording_is_the_jaccard_overlap_of_content_stems(g, a, expected):
    from cec_eval.causal.matcher import same_wording

    assert same_wording(*g, *a) == pytest.approx(expected)


def test_the_word_level_test_leaves_links_in_other_words_alone():
    """Exact: a candidate in its own words (content-word overlap 0.5 < SAME_WORDING) whose words
    cross (crossed_words 0.25) scores the same with and without the word-level test."""
    from cec_eval.causal.matcher import SAME_WORDING, crossed_words, same_wording

    link_a = ("the river rose", "the town flooded")
    link_g = ("the town's drains were blocked and the river rose", "water flooded the streets")
    assert crossed_words(*link_g, *link_a) == pytest.approx(0.25)
    assert same_wording(*link_g, *link_a) == pytest.approx(0.5)
    assert 0.5 < SAME_WORDING
    enc = BagOfWordsEncoder()
    ref = "Because the river rose, the town flooded."
    cand = "Because the town's drains were blocked and the river rose, water flooded the streets."
    on = CECScorer(model=enc, variant=CausalMatcher(lexical=True)).score([cand], [ref]).sym[0]
    off = CECScorer(model=enc, variant=CausalMatcher(lexical=False)).score([cand], [ref]).sym[0]
    assert on == off


@pytest.mark.parametrize("question", ["What causes fog?", "Q: What is behind fog?", "Why is there fog?",
                                      "Pilot: Why's there fog?", '"So why is there fog?"', "Student: What made the fog?",
                                      "Ever wonder why there is fog?"])
def test_the_answer_to_a_cause_question_is_linked_as_its_cause(question):
    """Exact: the answer sentence's embedding is the cause and the question's the effect, in both rows
    (after a speaker label or quote marks too)."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    sents = [question, "Cold air meets warm water."]
    m.prepare(sents, enc)
    vecs = enc.encode(sents)
    links = m.text_links(sents, vecs)
    for k in (0, 1):
        causes, effects, cause_texts, effect_texts, _ = links[k]
        assert (cause_texts[-1], effect_texts[-1]) == (sents[1], sents[0])
        np.testing.assert_allclose(causes[-1], vecs[1], atol=1e-6)
    # "What does fog cause?" asks for an effect: no answer link
    assert m.text_links(["What does fog cause?", "Cold air meets warm water."], vecs) == {} or all(
        ct[-1] != "Cold air meets warm water." for _, _, ct, _, _ in m.text_links(["What does fog cause?", "Cold air meets warm water."], vecs).values())


def test_a_reversed_link_counts_beside_a_link_stated_the_same_way():
    # hand-computed: link 0 is the same in both texts (direct 1, swapped 0), link 1 is reversed
    # (direct 0, swapped 1); both pairs correspond equally well (max 1), and the reversed one decides
    e1, e2, e3, e4 = np.eye(4)
    ref = (np.stack([e1, e3]), np.stack([e2, e4]))
    rev = (np.stack([e1, e4]), np.stack([e2, e3]))
    assert CausalMatcher._pair(rev, ref) == (0.0, 1.0, (1, 1))
    assert CausalMatcher._pair(ref, ref) == (1.0, 0.0, (0, 0))  # nothing reversed: the best pair
    # a reference link with no counterpart pairs with the nearest one; an unrelated pair (0.5
    # direct, 0.25 swapped) is not reversed, so the text's own match decides
    g = (np.stack([e1]), np.stack([e2]))
    a = (np.stack([e1, (e1 + e3) / np.sqrt(2)]), np.stack([e2, e4]))
    direct, swapped, k = CausalMatcher._pair(g, a)
    assert (direct, swapped, k) == (1.0, 0.0, (0, 0))


def test_a_pointer_sentence_that_opens_a_text_is_read_on_its_own():
    """Exact: "Therefore A flooded B." points back; after a sentence its link is the backward one, but
    opening a text it has nothing to point to and takes the link inside the side it states."""
    enc, sents = Embedder(BagOfWordsEncoder()), ["Ice melts.", "Therefore heavy rain flooded the valley."]
    m, vecs = CausalMatcher(), enc.encode(sents)
    m.prepare(sents, enc)
    after = m.text_links(sents, vecs)
    assert (after[1][2][0], after[1][3][0]) == ("Ice melts.", "heavy rain flooded the valley")
    alone = m.text_links(sents[1:], vecs[1:])
    assert sorted(alone) == [0]
    causes, effects, cause_texts, effect_texts, _ = alone[0]
    assert (cause_texts, effect_texts) == (["heavy rain"], ["flooded the valley"])
    np.testing.assert_allclose(causes[0], enc.encode(["heavy rain"])[0], atol=1e-6)


def test_a_what_question_states_no_link_of_its_own_and_a_why_question_does():
    """"Teacher: What made the empire rich?" asks for the cause: the link read inside it ("Teacher"
    made ...) is dropped and only the answer link is left; "Why do onions make you cry?" presupposes
    its link, which is kept beside the answer link."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    what = ["Teacher: What made the empire rich?", "Control of the spice routes."]
    why = ["Why do onions make you cry?", "Cutting them releases an irritant."]
    m.prepare(what + why, enc)
    assert m.links(what[0]) and m.links(why[0])  # both have a link inside, read by the lexicon
    rows = m.text_links(what, enc.encode(what))
    assert [(c, e) for c, e in zip(rows[0][2], rows[0][3])] == [(what[1], what[0])]
    rows = m.text_links(why, enc.encode(why))
    assert len(rows[0][2]) == 2 and (rows[0][2][-1], rows[0][3][-1]) == (why[1], why[0])



@pytest.mark.parametrize("generated, reference, expected", [
    # the two sides exchanged around the same words: every shared content word crossed
    ("The pitch was waterlogged because the match was postponed.",
     "The match was postponed because the pitch was waterlogged.", 1.0),
    ("A blockage in the drain eventually builds up into grease poured down the sink.",
     "Grease poured down the sink eventually builds up into a blockage in the drain.", 1.0),
    # a shared opening frame is set aside first ("Held: the dismissal was unfair, since the")
    ("Held: the dismissal was unfair, since the employee's complaint was motivated by the employer's decision.",
     "Held: the dismissal was unfair, since the employer's decision was motivated by the employee's complaint.", 1.0),
    # same direction: the connective moves with its clause, or the words differ
    ("Because the pitch was waterlogged, the match was postponed.",
     "The match was postponed because the pitch was waterlogged.", 0.0),
    ("The pitch was waterlogged, so the match was postponed.",
     "The match was postponed because the pitch was waterlogged.", 0.0),
    ("A waterlogged pitch forced the postponement of the match.",
     "The match was postponed because the pitch was waterlogged.", 0.0),
    ("The match was postponed because the pitch was waterlogged.",
     "The match was postponed because the pitch was waterlogged.", 0.0),
])
def test_swapped_around_finds_sides_exchanged_around_the_same_words(generated, reference, expected):
    from cec_eval.causal.matcher import swapped_around

    assert swapped_around(generated, reference) == pytest.approx(expected)


@pytest.mark.parametrize("generated, reference, expected", [
    # a copula with no shared frame: the inversion keeps the claim; inside a shared frame it reverses it
    ("Heavy rain is the main cause of floods.", "The main cause of floods is heavy rain.", 0.0),
    ("The explanation for the gap between rates is the weak yen.",
     "The explanation for the weak yen is the gap between rates.", 1.0),
    # the verb agrees with the new subject, and grammar words change with the swap
    ("Noticeable gains in acceleration yield consistent sprint training.",
     "Consistent sprint training yields noticeable gains in acceleration.", 1.0),
    ("The rise in inflation accounts for most of the higher energy costs.",
     "Higher energy costs account for most of the rise in inflation.", 1.0),
    # the passive, or a subordinator, exchanges the sides itself: the same claim
    ("Dozens of homes were flooded when the river burst its banks.",
     "The river burst its banks, flooding dozens of homes.", 0.0),
    ("Heavy rain swelled the river until it flooded dozens of homes.",
     "Dozens of homes were flooded after heavy rain swelled the river.", 0.0),
    ("Dozens of basements flooded when a water main burst.", "A water main burst, flooding dozens of basements.", 0.0),
])
def test_swapped_around_tells_a_reversal_from_an_inversion_that_keeps_the_claim(generated, reference, expected):
    from cec_eval.causal.matcher import swapped_around

    assert swapped_around(generated, reference) == pytest.approx(expected)


@pytest.mark.parametrize("generated, reference, expected", [
    # notation is a word of its own, "b/c" two, and "got" a grammar word like "was"
    ("pulled hamstring = skipping warmups.", "skipping warmups = pulled hamstring.", 1.0),
    ("Result | Deficiency", "Deficiency | Result", 1.0),
    ("Note: lint trap got packed b/c dryer stopped mid-cycle.", "Note: dryer stopped mid-cycle b/c lint trap was packed.", 1.0),
    # after a shared connective the two clauses exchanged with no words between them
    ("As of March, since revenue no longer matches cash, the client switched to accruals.",
     "As of March, since the client switched to accruals, revenue no longer matches cash.", 1.0),
    ("When clouds form, warm air rises and cools.", "When warm air rises and cools, clouds form.", 1.0),
    # ... but not a shared opening that is no connective and is set off as a setting
    ("In 2019, prices rose, wages fell.", "In 2019, wages fell, prices rose.", 0.0),
    # a shared frame that runs on into the two blocks, each text breaking between them (causal-v22)
    ("Each time the oven door opens, the souffle sinks.", "Each time the souffle sinks, the oven door opens.", 1.0),
    ("Auditors found the source of the roof leak: a cracked valve seal.",
     "Auditors found the source of a cracked valve seal: the roof leak.", 1.0),
    # ... with no break between the blocks, or a block of one content word (an appositive moved): no swap
    ("Our cat, a tabby, sleeps on the warm boiler.", "Our cat sleeps on the warm boiler, a tabby.", 0.0),
])
def test_swapped_around_with_notation_and_with_no_pivot_after_a_connective(generated, reference, expected):
    from cec_eval.causal.matcher import swapped_around

    assert swapped_around(generated, reference) == pytest.approx(expected)


def test_a_result_adverbial_opening_a_sentence_does_not_hide_a_swap_across_sentences():
    """ "14:02 A. 14:03 B." against "14:02 B. 14:03 Consequently, A.": the adverbial restates the
    narrative order, so the texts are also compared without it (exact bag-of-words encoder: every
    sentence pair falls by 1.0)."""
    from cec_eval.causal.matcher import _without_result_openers

    assert _without_result_openers(["14:03 Consequently, B.", "Tue: so B.", "- therefore B", "Sonar works.", "B as a result."]) == (
        "14:03 B.", "Tue: B.", "- B", "Sonar works.", "B.")
    ref = ["14:02 The valve sticks.", "14:03 The compressor overheats.", "14:40 Valve replaced."]
    rev = ["14:02 The compressor overheats.", "14:03 Consequently, the valve sticks.", "14:40 Valve replaced."]
    sim, cos = _bag_scores(rev, ref)
    np.testing.assert_allclose(sim, np.clip(cos - 1.0, -1, 1), atol=1e-6)


@pytest.mark.parametrize("generated, reference, expected", [
    # one run of words differs, and it names or introduces the other side
    ("Top effects of staff turnover: pay, commutes.", "Top causes of staff turnover: pay, commutes.", 1.0),
    ("Consequences of his heart attack: smoking, high blood pressure.",
     "Risk factors for his heart attack: smoking, high blood pressure.", 1.0),
    ("We stayed in, so it rained.", "We stayed in because it rained.", 1.0),
    ("Delays due to snow.", "Delays leading to snow.", 1.0),
    # the same direction in other words: a Result phrase for a Result adverbial, one causal verb for another
    ("Tom has stomach trouble. Because of this, he feels bloated.", "Tom has stomach trouble, thus he feels bloated.", 0.0),
    ("Smoking results in cancer.", "Smoking causes cancer.", 0.0),
    ("The rain caused the flood.", "The rain triggered the flood.", 0.0),
    # more than one run differs
    ("Effects of dehydration: heat, thirst.", "Causes of dehydration: headaches, dizziness.", 0.0),
])
def test_substituted_direction_finds_one_direction_word_exchanged(generated, reference, expected):
    from cec_eval.causal.matcher import substituted_direction

    assert substituted_direction(generated, reference) == expected


def test_two_sentences_exchanged_count_only_where_a_result_adverbial_states_the_order():
    """ "A. B." against "B. So A.": the adverbial claims B -> A (exact bag-of-words encoder: every
    sentence pair falls by 1.0); "B. The reason is that A." is no such exchange (its second sentence
    states a link, it is not the bare event)."""
    from cec_eval.causal.matcher import _sentences_exchanged

    a = ("Someone unplugged the router.", "The whole floor went offline.")
    assert _sentences_exchanged(("The whole floor went offline.", "someone unplugged the router."), a) == 1.0
    assert _sentences_exchanged(("The whole floor went offline.", "The reason is that someone unplugged the router."), a) == 0.0
    sim, cos = _bag_scores(["The whole floor went offline.", "So someone unplugged the router."], list(a))
    np.testing.assert_allclose(sim, np.clip(cos - 1.0, -1, 1), atol=1e-6)


def test_swapped_around_across_sentences_needs_a_pivot_that_is_not_a_determiner():
    """Two texts joined across their sentences: the sides exchanged around "within minutes" is a
    swap; around "the" (the next sentence's first word) it is not."""
    from cec_eval.causal.matcher import swapped_around

    a = "At noon the valve stuck closed. Within minutes the compressor overheated."
    g = "At noon the compressor overheated. Within minutes the valve stuck closed."
    assert swapped_around(g, a, across=True) == 1.0
    a = "The basement was under a foot of water. The sump pump had failed during the night."
    g = "The sump pump failing during the night left the basement under a foot of water."
    assert swapped_around(g, a, across=True) == 0.0
    assert swapped_around(g, a) == 1.0  # inside one sentence "the" can be the pivot


def _bag_scores(generated: list[str], reference: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(the default matcher's similarity, plain cosine) of two texts under the exact bag-of-words encoder."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    m.prepare(reference + generated, enc)
    g, a = enc.encode(generated), enc.encode(reference)
    return m.similarity(generated, reference, g, a), np.clip(g @ a.T, -1, 1)


def test_a_reversal_in_the_same_words_is_penalised_when_neither_text_has_a_link():
    """Exact, bag-of-words encoder: neither sentence has a link the parser reads, so the link test
    says nothing and plain cosine (1.0, the same words) would rank the reversal first; the swap
    test lowers the pair by 1.0. The copular inversion, which keeps the claim, is not lowered."""
    enc = Embedder(BagOfWordsEncoder())
    ref = ["The explanation for the weak yen is the gap between interest rates."]
    rev = ["The explanation for the gap between interest rates is the weak yen."]
    m = CausalMatcher()
    m.prepare(ref + rev, enc)
    g, a = enc.encode(rev), enc.encode(ref)
    assert not m.text_links(ref, a) and not m.text_links(rev, g)
    np.testing.assert_allclose(m.similarity(rev, ref, g, a), np.clip(g @ a.T - 1.0, -1, 1), atol=1e-6)
    sim, cos = _bag_scores(["Heavy rain is the main cause of the floods."], ["The main cause of the floods is heavy rain."])
    np.testing.assert_allclose(sim, cos, atol=1e-6)


def test_links_that_line_up_add_a_quarter_of_their_margin():
    """Exact, bag-of-words encoder: the candidate's link is the reference's in another connective;
    no reversal anywhere, so the pair gains reward × penalty × (direct − swapped), and nothing with
    reward=0 (causal-v17). A reversal gets the penalty and no reward."""
    enc = Embedder(BagOfWordsEncoder())
    ref, cand = ["Because the river rose, the town flooded."], ["The river rose, so the town flooded."]
    rev = ["The town flooded, so the river rose."]
    for reward in (0.25, 0.0, 1.0):
        m = CausalMatcher(reward=reward)
        m.prepare(ref + cand + rev, enc)
        g, a = enc.encode(cand), enc.encode(ref)
        direct, swapped = m.link_scores(cand[0], ref[0])
        assert direct > swapped
        np.testing.assert_allclose(m.similarity(cand, ref, g, a), np.clip(g @ a.T + reward * (direct - swapped), -1, 1),
                                   atol=1e-6)
        r = enc.encode(rev)
        direct, swapped = m.link_scores(rev[0], ref[0])
        assert swapped > direct
        assert (m.similarity(rev, ref, r, a) < r @ a.T).all()
    with pytest.raises(ValueError, match="reward"):
        CausalMatcher(reward=1.5)


def test_sides_exchanged_across_sentences_lower_the_whole_text_pair():
    """No sentence of one text is in the same words as a sentence of the other, the two texts are:
    with scope="text" every sentence pair falls by the swap test's 1.0 (the narrative-order links
    alone, lexical=False, lower it by less)."""
    enc = Embedder(BagOfWordsEncoder())
    ref = ["At noon the cooling valve stuck closed.", "Within minutes the compressor overheated."]
    rev = ["At noon the compressor overheated.", "Within minutes the cooling valve stuck closed."]
    sim, cos = _bag_scores(rev, ref)
    np.testing.assert_allclose(sim, np.clip(cos - 1.0, -1, 1), atol=1e-6)
    plain = CausalMatcher(lexical=False)
    plain.prepare(ref + rev, enc)
    assert (plain.similarity(rev, ref, enc.encode(rev), enc.encode(ref)) > cos - 0.5).all()


WORDS = st.lists(st.sampled_from(["river", "storm", "crops", "prices", "wind", "roof", "dust", "ice"]),
                 min_size=1, max_size=3, unique=True)


@settings(max_examples=60, deadline=None)
@given(WORDS, WORDS, st.sampled_from(["leads to", "eventually turns into", "is behind"]))
def test_swapped_around_is_one_for_disjoint_sides_and_zero_for_the_same_sentence(x, y, pivot):
    from cec_eval.causal.matcher import swapped_around

    if set(x) & set(y):
        return
    a, g = f"{' '.join(x)} {pivot} {' '.join(y)}", f"{' '.join(y)} {pivot} {' '.join(x)}"
    assert swapped_around(a, a) == 0.0
    assert swapped_around(g, a) == 1.0


def test_a_reversal_in_the_same_words_is_penalised_when_only_one_side_has_a_link():
    """Exact, bag-of-words encoder: the reference has a link and the other text none of its own
    (a stative sentence: no connective, no subject-object link); the swap test alone lowers the pair
    by crossed_words = 1.0 (scope="text": the whole pair)."""
    enc = Embedder(BagOfWordsEncoder())
    ref = ["Grease poured down the sink eventually builds up into a blockage in the drain."]
    rev = ["A blockage in the drain eventually builds up into grease poured down the sink."]
    m = CausalMatcher()
    m.prepare(ref + rev, enc)
    g, a = enc.encode(rev), enc.encode(ref)
    # the small parser reads a subject-object link in the reference and none in the absurd reversal
    assert m.text_links(ref, a) and not m.text_links(rev, g)
    np.testing.assert_allclose(m.similarity(rev, ref, g, a), np.clip(g @ a.T - 1.0, -1, 1), atol=1e-6)
    pair = CausalMatcher(scope="pair")
    pair.prepare(ref + rev, enc)
    np.testing.assert_allclose(pair.similarity(rev, ref, g, a), np.clip(g @ a.T - 1.0, -1, 1), atol=1e-6)
    no_lexical = CausalMatcher(lexical=False)
    no_lexical.prepare(ref + rev, enc)
    np.testing.assert_allclose(no_lexical.similarity(rev, ref, g, a), np.clip(g @ a.T, -1, 1), atol=1e-6)


def test_swapped_around_leaves_very_long_sentences_to_the_link_test():
    from cec_eval.causal.matcher import MAX_SWAP_WORDS, swapped_around

    x = " ".join(f"storm{k}" for k in range(MAX_SWAP_WORDS // 2))
    y = " ".join(f"flood{k}" for k in range(MAX_SWAP_WORDS // 2))
    assert swapped_around(f"{y} causes {x}", f"{x} causes {y}") == 0.0  # one word over the limit
    assert swapped_around(f"{y[7:]} causes {x}", f"{x} causes {y[7:]}") == 1.0


def test_a_noun_phrase_reordered_around_one_word_is_no_swap():
    """A gerund and its noun reordered ("wastewater injection" / "injecting wastewater") exchange no
    sides: a one-word side must be the same word on both sides, not only the same stem (round 12)."""
    from cec_eval.causal.matcher import swapped_around

    ref = "The small tremors near the reservoir were induced by wastewater injection."
    assert swapped_around("Injecting wastewater induced the small tremors near the reservoir.", ref) == 0.0
    assert swapped_around("Wastewater injection near the reservoir was induced by the small tremors.", ref) > 0.5
    assert swapped_around("Floods cause rain.", "Rain causes floods.") == 1.0  # one word each, the same words


@pytest.mark.parametrize("heading, kind", [("Reasons the van overheated:", "cause"), ("Risk factors for stroke:", "cause"),
                                           ("Main causes of the outage:", "cause"), ("Effects of the drought:", "effect"),
                                           ("Why the bread failed:", "cause"), ("Notes from the site visit:", ""),
                                           ("Reasons the van overheated", "")])
def test_list_heading_names_the_side_its_items_state(heading, kind):
    from cec_eval.causal.matcher import _list_heading

    assert _list_heading(heading) == kind


def test_items_under_a_cause_heading_are_causes_of_what_it_names():
    """Each item after "Reasons B:" is linked as a cause of the heading (and under "Effects of A:" as
    an effect), in place of its narrative-order link (round 12)."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    for heading, first in (("Reasons the van overheated:", 1), ("Effects of the coolant leak:", 0)):
        text = [heading, "- coolant leak at the water pump", "- clogged radiator fins"]
        m.prepare(text, enc)
        links = m.text_links(text, enc.encode(text))
        for item in (1, 2):
            causes, effects = links[item][2], links[item][3]
            pair = (text[item], heading) if first else (heading, text[item])
            assert (causes[-1], effects[-1]) == pair
        assert len(links[0][2]) == 2  # the heading takes part in both links


def test_narrative_order_links_that_line_up_earn_no_reward(scorers):
    # two texts whose only links are the implicit narrative-order ones: they line up whatever the
    # texts claim, so the link reward (causal-v18) is not given for them (causal-v23) and the causal
    # score is the plain one
    plain, causal = scorers
    g, a = ["The ice thawed. The river climbed."], ["The ice melted. The river rose."]
    m = causal.matcher
    m.prepare(["The ice thawed.", "The river climbed.", "The ice melted.", "The river rose."], causal.embedder)
    assert any(any(seq) for *_, seq in m.text_links(["The ice thawed.", "The river climbed."],
                                                    causal.embedder.encode(["The ice thawed.", "The river climbed."])).values())
    assert causal.score(g, a).sym[0] == pytest.approx(plain.score(g, a).sym[0], abs=1e-6)


def test_an_arrow_on_a_line_of_its_own_links_the_lines_around_it():
    """ "A" / "->" / "B" reads as "A -> B", and "<-" points the other way (causal-v24)."""
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    for arrow, pair in (("->", (0, 2)), ("<-", (2, 0))):
        text = ["Pump seal worn", arrow, "Coolant leak at the housing"]
        m.prepare(text, enc)
        links = m.text_links(text, enc.encode(text))
        for k in (0, 2):
            assert (text[pair[0]], text[pair[1]]) in zip(links[k][2], links[k][3])


@pytest.mark.parametrize("question, side", [("Why?", "cause"), ("Reason?", "cause"), ("The reason?", "cause"),
                                            ("Result?", "effect")])
def test_a_one_word_question_links_the_sentences_around_it(question, side):
    """ "B. Why? A." reads A as the cause of B; "A. Result? B." B as the effect of A (causal-v25)."""
    from cec_eval.causal.matcher import _bare_question

    assert _bare_question(question) == side
    enc = Embedder(BagOfWordsEncoder())
    m = CausalMatcher()
    text = ["The bottles gushed when opened.", question, "I bottled them before fermentation had finished."]
    m.prepare(text, enc)
    links = m.text_links(text, enc.encode(text))
    pair = (text[2], text[0]) if side == "cause" else (text[0], text[2])
    for k in (0, 2):
        assert pair in zip(links[k][2], links[k][3])


def test_a_longer_question_is_no_bare_question():
    from cec_eval.causal.matcher import _bare_question

    assert _bare_question("Why did the bottles gush?") == "" and _bare_question("Why.") == ""
