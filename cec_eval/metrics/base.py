"""The shape every explanation metric shares (as sacrebleu's ``Metric``): per-item scores, an
optional corpus-level score, and a signature that names the exact variant that ran."""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import InputError


@dataclass
class MetricResult:
    """Scores of one metric for one system.

    ``scores`` holds one float per item (all metrics here are on a 0–1 scale). ``corpus`` is the
    corpus-level value where the metric defines one that is *not* the mean of the item scores
    (corpus BLEU); otherwise it is None and :attr:`mean` is the system score."""

    name: str
    label: str
    scores: list[float]
    signature: str
    corpus: float | None = None
    extra: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return math.fsum(self.scores) / len(self.scores) if self.scores else float("nan")

    def __len__(self) -> int:
        return len(self.scores)

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "mean": self.mean,
            "corpus": self.corpus,
            "n": len(self.scores),
            "signature": self.signature,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        if details:
            out["scores"] = list(self.scores)
            out.update({k: list(v) for k, v in self.extra.items()})
        return out

    def __str__(self) -> str:
        return f"{self.label} = {self.mean:.4f} (n={len(self.scores)}) {self.signature}"


def check_inputs(predictions: Any, references: Any) -> tuple[list[str], list[list[str]]]:
    """Validate and normalise: predictions a list of str; references a list of str or of non-empty
    lists of str (multi-reference), one per prediction. Errors name the row (0-based)."""
    if isinstance(predictions, str) or not isinstance(predictions, Sequence):
        raise InputError("predictions: expected a list of strings")
    if isinstance(references, str) or not isinstance(references, Sequence):
        raise InputError("references: expected a list of strings (or of lists of strings)")
    if len(predictions) != len(references):
        raise InputError(f"{len(predictions)} predictions but {len(references)} references; they must pair up row by row")
    if not predictions:
        raise InputError("predictions: no rows")
    preds: list[str] = []
    refs: list[list[str]] = []
    for i, (p, r) in enumerate(zip(predictions, references)):
        if not isinstance(p, str):
            raise InputError(f"predictions row {i}: expected a string, got {type(p).__name__}")
        if isinstance(r, str):
            r = [r]
        elif isinstance(r, Sequence) and r and all(isinstance(x, str) for x in r):
            r = list(r)
        else:
            raise InputError(
                f"references row {i}: expected a string or a non-empty list of strings, got {r!r:.80}"
            )
        preds.append(p)
        refs.append(r)
    return preds, refs


def nrefs(refs: list[list[str]]) -> str:
    counts = {len(r) for r in refs}
    return str(counts.pop()) if len(counts) == 1 else "var"


class Metric(ABC):
    """One explanation metric. Subclasses set ``name`` (registry key) and ``label`` (Table 1
    column) and implement :meth:`_score` over validated input."""

    name: str = ""
    label: str = ""

    def score(self, predictions: Sequence[str], references: Sequence[Any]) -> MetricResult:
        preds, refs = check_inputs(predictions, references)
        return self._score(preds, refs)

    @abstractmethod
    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        ...

    @abstractmethod
    def signature(self, nrefs: str = "1") -> str:
        """Everything that changes the number, as one line."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.signature()}>"
