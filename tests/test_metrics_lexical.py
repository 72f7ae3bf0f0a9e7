"""BLEU, ROUGE and METEOR against their reference libraries called directly, and hand-computed
values on fixed inputs."""
from __future__ import annotations

import warnings

import pytest
import sacrebleu
from nltk.translate.meteor_score import meteor_score
from rouge_score import rouge_scorer

from cec_eval.errors import InputError
from cec_eval.metrics import TABLE1, get_metric, parse_metrics
from cec_eval.metrics import wordnet as wnmod

PREDS = [
    "The heat caused the ice to melt, so the water level rose.",
    "Smoking damages the lungs. This leads to cancer.",
    "The auto is fast.",
    "",
]
REFS = [
    "Because it was hot, the ice melted and the water level rose.",
    "Cancer follows when smoking damages lung tissue.",
    "The car is fast.",
    "Nothing was said.",
]


def test_bleu_matches_sacrebleu():
    res = get_metric("bleu").score(PREDS, REFS)
    expected = [sacrebleu.sentence_bleu(p, [r]).score / 100 for p, r in zip(PREDS, REFS)]
    assert res.scores == pytest.approx(expected)
    assert res.corpus == pytest.approx(sacrebleu.corpus_bleu(PREDS, [REFS]).score / 100)
    assert get_metric("bleu").score(["the cat sat on the mat"], ["a cat sat on the mat"]).scores == pytest.approx(
        [0.7598356856515926]
    )
    assert res.signature.startswith("bleu:sentence-mean+corpus|scale:0-1|nrefs:1|case:mixed|eff:yes|tok:13a+unicode|smooth:exp")
    assert res.scores[3] == 0.0


def test_bleu_multi_reference():
    res = get_metric("bleu").score(["the cat sat on the mat"], [["a dog ran", "a cat sat on the mat"]])
    assert res.scores == pytest.approx([sacrebleu.sentence_bleu("the cat sat on the mat", ["a dog ran", "a cat sat on the mat"]).score / 100])
    assert "nrefs:2" in res.signature
    # Rows with different numbers of references: corpus BLEU pads the reference streams with None.
    var = get_metric("bleu").score(["a b c d", "x y z w"], [["a b c d"], ["x y z q", "x y z w"]])
    assert "nrefs:var" in var.signature
    assert var.corpus == pytest.approx(sacrebleu.corpus_bleu(["a b c d", "x y z w"], [["a b c d", "x y z q"], [None, "x y z w"]]).score / 100)


@pytest.mark.parametrize("kind", ["rouge1", "rouge2", "rougeL"])
def test_rouge_matches_rouge_score(kind):
    res = get_metric(kind).score(PREDS, REFS)
    scorer = rouge_scorer.RougeScorer([kind])
    assert res.scores == pytest.approx([scorer.score(r, p)[kind].fmeasure for p, r in zip(PREDS, REFS)])
    assert res.signature.startswith(f"{kind}:F|nrefs:1|mref:max|stem:no")


def test_rouge_hand_computed():
    # "the cat sat" vs "the cat ran": unigrams 2/3 both ways; bigrams 1/2; LCS 2.
    one = get_metric("rouge1").score(["the cat sat"], ["the cat ran"]).scores[0]
    two = get_metric("rouge2").score(["the cat sat"], ["the cat ran"]).scores[0]
    assert one == pytest.approx(2 / 3) and two == pytest.approx(0.5)
    best = get_metric("rougeL").score(["the cat sat"], [["a dog", "the cat sat"]]).scores[0]
    assert best == 1.0


def test_meteor_identical_sentence_known_value():
    # 4 unigram matches in 1 chunk: Fmean = 1, penalty = 0.5 * (1/4)^3.
    res = get_metric("meteor").score(["a b c d"], ["a b c d"])
    assert res.scores == pytest.approx([1 - 0.5 * (1 / 4) ** 3])


@pytest.fixture
def system_wordnet():
    info = wnmod.find_wordnet(refresh=True)
    if info.reader is None:
        pytest.skip(f"no WordNet on this machine ({wnmod.INSTALL_HINT})")
    return info


def test_meteor_matches_nltk_with_wordnet(system_wordnet):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

    tok = Tokenizer13a()
    res = get_metric("meteor").score(PREDS, REFS)
    expected = [meteor_score([tok(r).split()], tok(p).split(), wordnet=system_wordnet.reader) for p, r in zip(PREDS, REFS)]
    assert res.scores == pytest.approx(expected)
    assert "|syn:wordnet-3.0|" in res.signature and res.notes == ["METEOR: 1 of 4 predictions are empty (rows 3) and score 0"]
    # The synonym stage is really on: "auto" and "car" share a WordNet synset (nltk matches
    # synonyms against the *stemmed* leftovers, so the pair must survive Porter stemming).
    assert system_wordnet.reader.synsets("car")[0] in system_wordnet.reader.synsets("auto")
    assert res.scores[2] == pytest.approx(get_metric("meteor").score(["The car is fast."], ["The car is fast."]).scores[0], rel=0.05)


def test_meteor_without_wordnet_warns_loudly(monkeypatch):
    monkeypatch.setenv("CEC_EVAL_WORDNET", "none")
    wnmod.find_wordnet(refresh=True)
    try:
        with pytest.warns(UserWarning, match="WordNet NOT FOUND"):
            metric = get_metric("meteor")
        res = metric.score(["The auto is fast."], ["The car is fast."])
        assert "|syn:none|" in res.signature and "WordNet NOT FOUND" in res.notes[0]
        # exact + stem only: "auto" vs "car" does not match.
        assert res.scores[0] < 0.8
        with pytest.raises(RuntimeError, match="apt-get install"):
            get_metric("meteor", require_wordnet=True)
    finally:
        monkeypatch.delenv("CEC_EVAL_WORDNET")
        wnmod.find_wordnet(refresh=True)


def test_wordnet_assembled_from_debian_layout(tmp_path, monkeypatch):
    """A Debian-style dict folder (no lexnames) becomes an nltk corpus in the cache."""
    source = next((d for d in wnmod._candidate_dirs() if wnmod._is_wordnet_dir(d)), None)
    if source is None:
        pytest.skip(f"no system WordNet ({wnmod.INSTALL_HINT})")
    monkeypatch.setenv("CEC_EVAL_CACHE", str(tmp_path))
    folder = wnmod._assemble(source)
    assert folder == tmp_path / "nltk_data" / "corpora" / "wordnet"
    lex = (folder / "lexnames").read_text().splitlines()
    assert len(lex) == 45 and lex[0] == "00\tadj.all\t3" and lex[44] == "44\tadj.ppl\t3"
    reader = wnmod._reader(folder)
    assert reader.get_version() == "3.0" and reader.synset("dog.n.01").lexname() == "noun.animal"


def test_bad_input_names_the_row():
    m = get_metric("rouge1")
    with pytest.raises(InputError, match=r"predictions\[1\] is None"):
        m.score(["ok", None], ["a", "b"])
    with pytest.raises(InputError, match=r"references\[0\] is an empty list"):
        m.score(["ok"], [[]])
    with pytest.raises(InputError, match=r"references\[1\]\[0\] has no sentence to compare against"):
        m.score(["ok", "ok"], ["a", [" ", "b"]])
    with pytest.raises(InputError, match="predictions has 2 rows but references has 1"):
        m.score(["a", "b"], ["a"])
    with pytest.raises(InputError, match="^no rows: predictions and references are empty$"):
        m.score([], [])
    with pytest.raises(InputError, match="unknown metric 'blue'"):
        parse_metrics("blue,cec")
    assert parse_metrics("ROUGE-L, bertscore") == ["rougeL", "bertscore"]
    assert parse_metrics(None) == list(TABLE1)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_words = st.lists(st.sampled_from("the cause heat ice melts water rises because so rain wet".split()), min_size=1, max_size=12)


@settings(max_examples=25, deadline=None)
@given(_words, _words)
def test_lexical_metrics_bounded_and_identity(a, b):
    hyp, ref = " ".join(a), " ".join(b)
    for name in ("bleu", "rouge1", "rouge2", "rougeL"):
        res = get_metric(name).score([hyp, ref], [ref, ref])
        assert 0.0 <= res.scores[0] <= 1.0 + 1e-9
        if name != "rouge2" or len(b) > 1:  # ROUGE-2 of a one-word text has no bigram
            assert res.scores[1] == pytest.approx(1.0)
