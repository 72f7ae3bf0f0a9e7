"""BLEU, ROUGE and METEOR on non-Latin scripts: one test per script family (Devanagari, CJK,
Arabic, Cyrillic; Thai as a script without spaces that is not CJK), with hand-computed values and
sacrebleu's own script tokenizers as the reference; the tokenisers are the libraries' defaults on
ASCII text (hypothesis)."""
from __future__ import annotations

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import tokenizers as rouge_tokenizers
from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

from cec_eval.metrics import get_metric
from cec_eval.metrics.rouge import ScriptDroppedWarning
from cec_eval.metrics.tokenize import Tokenizer13aUnicode, UnicodeRougeTokenizer

ROUGE_TOK = UnicodeRougeTokenizer()
BLEU_TOK = Tokenizer13aUnicode()

# (full sentence, a shorter prediction whose words all occur in it, its ROUGE tokens, the full one's ROUGE tokens)
SCRIPTS = {
    "devanagari": (
        "जलवायु परिवर्तन से समुद्र का स्तर बढ़ता है।",
        "समुद्र का स्तर बढ़ता है।",
        ["समुद्र", "का", "स्तर", "बढ़ता", "है"],
        ["जलवायु", "परिवर्तन", "से", "समुद्र", "का", "स्तर", "बढ़ता", "है"],
    ),
    "cjk-zh": (
        "二氧化碳吸收热量，所以地球变暖。",
        "地球变暖。",
        ["地", "球", "变", "暖"],
        ["二", "氧", "化", "碳", "吸", "收", "热", "量", "所", "以", "地", "球", "变", "暖"],
    ),
    "cjk-ja": (
        "二酸化炭素が熱を閉じ込めるので地球が暖まる。",
        "地球が暖まる。",
        ["地", "球", "が", "暖", "ま", "る"],
        ["二", "酸", "化", "炭", "素", "が", "熱", "を", "閉", "じ", "込", "め", "る", "の", "で", "地", "球", "が", "暖", "ま", "る"],
    ),
    "arabic": (
        "ثاني أكسيد الكربون يحبس الحرارة، لذلك يسخن الكوكب.",
        "لذلك يسخن الكوكب.",
        ["لذلك", "يسخن", "الكوكب"],
        ["ثاني", "أكسيد", "الكربون", "يحبس", "الحرارة", "لذلك", "يسخن", "الكوكب"],
    ),
    "cyrillic": (
        "Углекислый газ удерживает тепло, поэтому планета нагревается.",
        "Планета нагревается.",
        ["планета", "нагревается"],
        ["углекислый", "газ", "удерживает", "тепло", "поэтому", "планета", "нагревается"],
    ),
    "thai": (
        "ภาวะโลกร้อนทำให้น้ำแข็งละลาย",
        "น้ำแข็งละลาย",
        ["น้ำ", "แ", "ข็", "ง", "ล", "ะ", "ล", "า", "ย"],
        None,  # checked through ROUGE only
    ),
}


def _f1(p: int, r: int, overlap: int) -> float:
    prec, rec = overlap / p, overlap / r
    return 2 * prec * rec / (prec + rec)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_rouge_keeps_the_script(script):
    full, short, short_tokens, full_tokens = SCRIPTS[script]
    assert ROUGE_TOK.tokenize(short) == short_tokens
    if full_tokens is not None:
        assert ROUGE_TOK.tokenize(full) == full_tokens
    for kind in ("rouge1", "rouge2", "rougeL"):
        assert get_metric(kind).score([full], [full]).scores == [pytest.approx(1.0)]
    if full_tokens is not None:
        # every token of the short text occurs in the full one, in order: ROUGE-1 = ROUGE-L = F1(n, m, n)
        want = _f1(len(short_tokens), len(full_tokens), len(short_tokens))
        assert get_metric("rouge1").score([short], [full]).scores == [pytest.approx(want)]
        assert get_metric("rougeL").score([short], [full]).scores == [pytest.approx(want)]
    assert "|tok:unicode|" in get_metric("rouge1").signature()


@pytest.mark.parametrize("script", ["devanagari", "arabic", "cyrillic"])
def test_bleu_splits_script_punctuation_like_sacrebleu_intl(script):
    full, short, *_ = SCRIPTS[script]
    for hyp, ref in ((full, full), (short, full)):
        ours = get_metric("bleu").score([hyp], [ref]).scores[0]
        assert ours == pytest.approx(sacrebleu.sentence_bleu(hyp, [ref], tokenize="intl").score / 100)
    assert get_metric("bleu").score([full], [full]).scores == [1.0]


def test_bleu_splits_han_characters_like_sacrebleu_zh():
    full, short, *_ = SCRIPTS["cjk-zh"]
    assert BLEU_TOK(short) == "地 球 变 暖 。"
    for hyp, ref in ((full, full), (short, full)):
        ours = get_metric("bleu").score([hyp], [ref]).scores[0]
        assert ours == pytest.approx(sacrebleu.sentence_bleu(hyp, [ref], tokenize="zh").score / 100)
    assert get_metric("bleu").score([short], [full]).scores[0] > 0.05  # 13a: one token, near 0
    assert "|tok:13a+unicode|" in get_metric("bleu").signature()


def test_bleu_japanese_kana_are_split_too():
    full, short, *_ = SCRIPTS["cjk-ja"]
    assert BLEU_TOK(short) == "地 球 が 暖 ま る 。"
    # sacrebleu's zh splits only Han characters: the kana run "まる" stays glued there
    assert "まる" in sacrebleu.tokenizers.tokenizer_zh.TokenizerZh()(short).split()
    assert get_metric("bleu").score([full], [full]).scores == [1.0]


@pytest.mark.parametrize("script", ["devanagari", "cjk-zh", "arabic", "cyrillic"])
def test_meteor_matches_every_script_exactly(script):
    full, short, *_ = SCRIPTS[script]
    n = len(BLEU_TOK(full).split())
    # n unigram matches in one chunk: Fmean = 1, penalty 0.5·(1/n)^3
    assert get_metric("meteor").score([full], [full]).scores == [pytest.approx(1 - 0.5 * (1 / n) ** 3)]
    assert 0 < get_metric("meteor").score([short], [full]).scores[0] < 1


def test_rouge_score_default_tokenizer_is_named_and_warns():
    full = SCRIPTS["devanagari"][0]
    metric = get_metric("rouge1", tokenize="rouge-score")
    with pytest.warns(ScriptDroppedWarning, match="letters outside ASCII were dropped"):
        res = metric.score([full], [full])
    assert res.scores == [0.0] and "|tok:rouge-score-default|" in res.signature


_ascii = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_ascii, st.booleans())
def test_tokenisers_are_the_library_defaults_on_ascii(text, stem):
    assert UnicodeRougeTokenizer(stem).tokenize(text) == rouge_tokenizers.DefaultTokenizer(stem).tokenize(text)
    assert BLEU_TOK(text) == Tokenizer13a()(text)
