"""Tokenisers of the lexical metrics (BLEU, ROUGE, METEOR) that keep every script.

The libraries' defaults lose non-Latin text in two ways. rouge-score keeps only ``[a-z0-9]``, so a
Hindi, Arabic, Russian or Chinese sentence has no tokens and scores 0 even against itself.
sacrebleu's ``13a`` keeps every script but only splits ASCII punctuation and spaces, so a Chinese or
Japanese sentence (no spaces between words) is one token, and the Devanagari danda "।" or the Arabic
comma "،" stay glued to the word before them.

Both tokenisers here give exactly the library default on ASCII text (so English numbers do not
move; tests check it) and, beyond ASCII:

* ``unicode`` (ROUGE): lower-cased runs of letters, combining marks and digits (``\\p{L}\\p{M}\\p{N}``,
  so Devanagari vowel signs stay in their word); rouge-score's Porter stemming, when on, applies
  to ASCII words only;
* ``13a+unicode`` (BLEU, METEOR): sacrebleu's ``13a``, then every non-ASCII punctuation mark or
  symbol becomes its own token (as sacrebleu's ``intl`` does);

and both make each grapheme cluster of a script written without spaces (Han, Hiragana, Katakana,
Bopomofo, Thai, Lao, Khmer, Myanmar, Tibetan) its own token, as sacrebleu's ``zh`` tokenizer does
for Han characters. Korean (Hangul) is written with spaces and stays word-level.
"""
from __future__ import annotations

from functools import lru_cache

import regex

# scripts written without spaces between words; U+30FC (prolonged sound mark) and U+3005
# (iteration mark) are Japanese/Chinese but have script Common
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}\u30fc\u3005"
_WORDS = regex.compile(rf"(?V1)(?=[{_UNSPACED}])\X|[[\p{{L}}\p{{M}}\p{{N}}]--[{_UNSPACED}]]+")
_SPLIT = regex.compile(rf"(?V1)(?=[{_UNSPACED}])\X|[[\p{{P}}\p{{S}}]--[\x00-\x7f]]")
_ASCII_WORD = regex.compile(r"[a-z0-9]+")

#: tokenizer names per metric (the first is the default); the name is in each signature
ROUGE_TOKENIZERS = ("unicode", "rouge-score")
BLEU_TOKENIZERS = ("13a+unicode",)  # plus every sacrebleu tokenizer name ("13a", "intl", "zh", "char", ...)


class UnicodeRougeTokenizer:
    """A rouge-score ``Tokenizer`` (``tokenize(text) -> list[str]``) that keeps every script; on
    ASCII text it returns exactly what rouge-score's ``DefaultTokenizer`` returns."""

    name = "unicode"

    def __init__(self, use_stemmer: bool = False) -> None:
        from nltk.stem import porter

        self._stemmer = porter.PorterStemmer() if use_stemmer else None  # rouge-score's own choice

    def tokenize(self, text: str) -> list[str]:
        tokens = _WORDS.findall(text.lower())
        if self._stemmer is not None:
            # rouge-score stems words of more than 3 characters; Porter is for English only
            tokens = [self._stemmer.stem(t) if len(t) > 3 and _ASCII_WORD.fullmatch(t) else t for t in tokens]
        return tokens


class Tokenizer13aUnicode:
    """sacrebleu's ``13a`` plus the splits above: ``str -> str`` (tokens joined by spaces)."""

    name = "13a+unicode"

    def __init__(self) -> None:
        from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a

        self._13a = Tokenizer13a()

    @lru_cache(maxsize=2**16)
    def __call__(self, line: str) -> str:
        return " ".join(_SPLIT.sub(r" \g<0> ", self._13a(line)).split())
