"""A tiny deterministic encoder for tests, doctests and hand-computed examples.

``BagOfWordsEncoder`` maps a sentence to word counts (lower-cased ``\\w+`` tokens) hashed with
CRC-32 into ``dim`` buckets, so cosine similarity is the cosine of word-count vectors: easy to
compute by hand, identical on every machine, no model download.

>>> enc = BagOfWordsEncoder()
>>> enc(["heat traps heat", "Heat"]).sum(axis=1).tolist()
[3.0, 1.0]
"""
from __future__ import annotations

import re
import zlib

import numpy as np

_WORD = re.compile(r"\w+")


class BagOfWordsEncoder:
    name = "bag-of-words"

    def __init__(self, dim: int = 4096) -> None:
        self.dim = dim

    def __call__(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, sentence in enumerate(sentences):
            for token in _WORD.findall(sentence.lower()):
                out[i, zlib.crc32(token.encode()) % self.dim] += 1.0
        return out
