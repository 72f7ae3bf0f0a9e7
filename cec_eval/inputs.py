"""The input contract shared by every front door (Python API, the metric classes, the ``evaluate``
module, the CLI, the lm-eval aggregations): written once here, enforced by :func:`check_pairs`.

=====================================  ==========================================================
input                                  behaviour (every metric, raw and rescaled scores alike)
=====================================  ==========================================================
no rows (``[]``, ``[]``)               :class:`InputError` ``no rows: predictions and references
                                       are empty``
predictions / references not a list    :class:`InputError` ``predictions must be a list of str,
                                       got str``
different lengths                      :class:`InputError` ``predictions has 3 rows but references
                                       has 4``
a prediction that is not a str         :class:`InputError` ``predictions[3] is None`` /
                                       ``predictions[3] is int, expected str``
an empty prediction (``""``, only      scores exactly 0 in every score, raw *and* rescaled (with
whitespace, or only punctuation)       rescaling 0 is the level of unrelated text: an empty output
                                       is scored as no better than that, never below); listed in
                                       ``empty_predictions`` and announced with an
                                       :class:`EmptyPredictionWarning`
a reference that is not a str, or an   :class:`InputError` ``references[2][1] is int, expected
empty list of references               str`` / ``references[2] is an empty list``
an empty reference (``""``, only       :class:`InputError` ``references[2] has no sentence to
whitespace, or only punctuation)       compare against (empty, whitespace or punctuation only)``
mixed single and multi references      allowed in one call: ``references[i]`` is a str or a list of
                                       str, row by row; the signature says ``nrefs:var``
=====================================  ==========================================================

"Empty" means: no character that is a letter, a digit or a symbol (Unicode categories L, N, S;
emoji are symbols), so punctuation, separators, control and format characters alone (``"..."``,
``"\\u200b"``) count as empty. U+FFFD (the replacement character left by undecodable bytes) is not
content either: BERT tokenizers delete it.
"""
from __future__ import annotations

import unicodedata
import warnings
from typing import Any, Sequence

from .errors import InputError

#: the message of an empty corpus, the same at every front door
NO_ROWS = "no rows: predictions and references are empty"


class EmptyPredictionWarning(UserWarning):
    """Some predictions had no content and were scored 0."""


def has_content(text: str) -> bool:
    """True if ``text`` has a letter, digit or symbol (Unicode L, N, S) other than U+FFFD."""
    return any(unicodedata.category(ch)[0] in "LNS" and ch != "\ufffd" for ch in text)


def _as_list(name: str, values: Any) -> list:
    if hasattr(values, "tolist") and not isinstance(values, (str, bytes)):  # numpy / pandas
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise InputError(f"{name} must be a list of str, got {type(values).__name__}")
    return list(values)


def check_str(where: str, value: Any) -> str:
    """``value`` if it is a str, else an :class:`InputError` naming ``where``."""
    if value is None:
        raise InputError(f"{where} is None")
    if not isinstance(value, str):
        raise InputError(f"{where} is {type(value).__name__}, expected str")
    return value


def check_predictions(predictions: Any) -> list[str]:
    """A list of str (a prediction may be empty); errors name the row."""
    preds = _as_list("predictions", predictions)
    return [check_str(f"predictions[{i}]", p) for i, p in enumerate(preds)]


def check_reference_group(i: int, value: Any) -> list[str]:
    """Row ``i``'s reference(s) as a non-empty list of non-empty str."""
    if isinstance(value, str) or value is None:
        group, multi = [value], False
    else:
        if hasattr(value, "tolist"):
            value = value.tolist()
        if not isinstance(value, Sequence) or isinstance(value, bytes):
            raise InputError(f"references[{i}] is {type(value).__name__}, expected str or list of str")
        if len(value) == 0:
            raise InputError(f"references[{i}] is an empty list")
        group, multi = list(value), True
    out = []
    for k, text in enumerate(group):
        where = f"references[{i}][{k}]" if multi else f"references[{i}]"
        text = check_str(where, text)
        if not has_content(text):
            raise InputError(f"{where} has no sentence to compare against (empty, whitespace or punctuation only)")
        out.append(text)
    return out


def check_pairs(predictions: Any, references: Any) -> tuple[list[str], list[list[str]]]:
    """Validate and normalise one call's input (see the module table): predictions as a list of
    str, references as a list of non-empty lists of str, one per prediction.

    Raises:
        InputError: one line naming the row (0-based) and field at fault.
    """
    preds = _as_list("predictions", predictions)
    refs = _as_list("references", references)
    if len(preds) != len(refs):
        raise InputError(f"predictions has {len(preds)} rows but references has {len(refs)}")
    if not preds:
        raise InputError(NO_ROWS)
    preds = [check_str(f"predictions[{i}]", p) for i, p in enumerate(preds)]
    return preds, [check_reference_group(i, r) for i, r in enumerate(refs)]


def empty_rows(predictions: Sequence[str]) -> list[int]:
    """Rows whose prediction has no content (scored 0 by every metric)."""
    return [i for i, p in enumerate(predictions) if not has_content(p)]


def nrefs(references: Sequence[Sequence[str]]) -> str:
    """The signature's ``nrefs`` field: the references per row, or ``var`` when rows differ."""
    counts = {len(r) for r in references}
    return str(counts.pop()) if len(counts) == 1 else "var"


def empty_note(label: str, rows: Sequence[int], n: int) -> str:
    shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
    return f"{label}: {len(rows)} of {n} predictions are empty (rows {shown}) and score 0"


def warn_empty(label: str, rows: Sequence[int], n: int, stacklevel: int = 3) -> str | None:
    """Warn (:class:`EmptyPredictionWarning`) about empty predictions; returns the note, or None."""
    if not rows:
        return None
    note = empty_note(label, rows, n)
    warnings.warn(note, EmptyPredictionWarning, stacklevel=stacklevel)
    return note
