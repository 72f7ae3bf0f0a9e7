"""Matching: the cosine matrix between the sentences of a generated and a reference explanation,
and the best match of every sentence on each side (the alignment report)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


def cosine_matrix(generated: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """S[i, j] = cos(g_i, a_j) for L2-normalised rows; clipped to [-1, 1] against rounding."""
    return np.clip(generated @ reference.T, -1.0, 1.0)


@dataclass(frozen=True)
class SentenceMatch:
    """One sentence and its most similar sentence on the other side."""

    sentence: str
    match: str
    match_index: int
    similarity: float


@dataclass(frozen=True)
class Alignment:
    """Why an instance scored as it did.

    ``reference_to_generated``: each reference sentence with its best generated match; a low
    similarity marks a causal point the generation misses (backward direction).
    ``generated_to_reference``: each generated sentence with its best reference match; a low
    similarity marks content the reference does not support (forward direction).
    """

    reference_index: int
    generated_to_reference: list[SentenceMatch]
    reference_to_generated: list[SentenceMatch]

    def missed(self, threshold: float = 0.5) -> list[SentenceMatch]:
        return [m for m in self.reference_to_generated if m.similarity < threshold]

    def unsupported(self, threshold: float = 0.5) -> list[SentenceMatch]:
        return [m for m in self.generated_to_reference if m.similarity < threshold]

    def to_dict(self) -> dict:
        return asdict(self)


def align(sim: np.ndarray, generated: list[str], reference: list[str], reference_index: int = 0) -> Alignment:
    if sim.size == 0:
        return Alignment(reference_index, [], [SentenceMatch(a, "", -1, 0.0) for a in reference])
    fwd = sim.argmax(axis=1)
    bwd = sim.argmax(axis=0)
    return Alignment(
        reference_index,
        [SentenceMatch(g, reference[j], int(j), float(sim[i, j])) for i, (g, j) in enumerate(zip(generated, fwd))],
        [SentenceMatch(a, generated[i], int(i), float(sim[i, j])) for j, (a, i) in enumerate(zip(reference, bwd))],
    )
