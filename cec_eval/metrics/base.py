"""The shape every explanation metric shares (as sacrebleu's ``Metric``): per-item scores, an
optional corpus-level score, and a signature that names the exact variant that ran."""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..inputs import check_pairs, empty_rows, nrefs, warn_empty  # noqa: F401  (nrefs: re-exported)


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
    #: rows whose prediction had no content: scored 0 (see :mod:`cec_eval.inputs`)
    empty_predictions: list[int] = field(default_factory=list)

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
        out["empty_predictions"] = list(self.empty_predictions)
        if details:
            out["scores"] = list(self.scores)
            out.update({k: list(v) for k, v in self.extra.items()})
        return out

    def __str__(self) -> str:
        return f"{self.label} = {self.mean:.4f} (n={len(self.scores)}) {self.signature}"


def check_inputs(predictions: Any, references: Any) -> tuple[list[str], list[list[str]]]:
    """Validate and normalise by the one input contract (:func:`cec_eval.inputs.check_pairs`)."""
    return check_pairs(predictions, references)


class Metric(ABC):
    """One explanation metric. Subclasses set ``name`` (registry key) and ``label`` (Table 1
    column) and implement :meth:`_score` over validated input."""

    name: str = ""
    label: str = ""

    def score(self, predictions: Sequence[str], references: Sequence[Any]) -> MetricResult:
        """Per-item scores of ``predictions[i]`` against ``references[i]`` (a str or a list of str).

        The input contract of :mod:`cec_eval.inputs` holds for every metric: an empty corpus, a
        non-string or an empty reference is an :class:`~cec_eval.errors.InputError` naming the row;
        an empty prediction scores exactly 0 (raw or rescaled) with an
        :class:`~cec_eval.inputs.EmptyPredictionWarning` and is listed in ``empty_predictions``.

        Raises:
            InputError: bad input (one line naming row and field).
            RuntimeError: the metric produced a non-finite score (a bug, never silently kept).
        """
        preds, refs = check_pairs(predictions, references)
        result = self._score(preds, refs)
        empty = empty_rows(preds)
        for i in empty:  # whatever the library gave (BLEU smoothing, a rescaled 0): exactly 0
            result.scores[i] = 0.0
            for values in result.extra.values():
                values[i] = 0.0
        note = warn_empty(self.label, empty, len(preds))
        if note and note not in result.notes:
            result.notes.append(note)
        result.empty_predictions = empty
        bad = [i for i, x in enumerate(result.scores) if not math.isfinite(x)]
        if bad:
            raise RuntimeError(f"{self.label} gave a non-finite score for rows {bad[:10]}: a bug, please report it")
        return result

    @abstractmethod
    def _score(self, predictions: list[str], references: list[list[str]]) -> MetricResult:
        ...

    @abstractmethod
    def signature(self, nrefs: str = "1") -> str:
        """Everything that changes the number, as one line."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.signature()}>"
