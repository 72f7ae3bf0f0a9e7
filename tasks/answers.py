"""Answer extraction and comparison for the causality-format tasks.

* **strict**: an explicit answer statement, ``#### N`` or "the answer is N" (GSM8K's own format
  and the phrasing the prompt asks for);
* **flexible**: the last number in the answer section (or in the whole response when the
  model never reached an answer section);
* **math**: mathematical equivalence through ``math-verify`` so "$1,200.00", "1200" and
  "\\boxed{1200}" all match gold 1200.

Letters (GPQA) follow the same strict / flexible split.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .causality import CausalParse, parse_causal_response

_NUM = r"-?\$?\s?\d[\d,]*(?:\.\d+)?"
_STRICT_NUM = [
    re.compile(r"####\s*(" + _NUM + r")"),
    re.compile(r"the (?:final )?answer is[:\s]*\(?\s*\\?\$?\s*(?:\\boxed\{)?(" + _NUM + r")", re.IGNORECASE),
]
_ANY_NUM = re.compile(_NUM)

_STRICT_LETTER = [
    re.compile(r"the (?:correct |final )?answer is[:\s]*\(?\s*\**\(?([ABCD])\b", re.IGNORECASE),
    re.compile(r"(?:^|\n)\s*\**answer\**\s*[:\-]\s*\**\s*\(?([ABCD])\b", re.IGNORECASE),
]
_ANY_LETTER = re.compile(r"(?:\(([ABCD])\)|\b([ABCD])\b)")


def normalize_number(text: str | None) -> str | None:
    """Canonical decimal string: "$1,200.00" -> "1200", "-3.50" -> "-3.5"; None if not a number."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s$]", "", str(text)).rstrip(".,")
    if "," in cleaned:
        # only thousands grouping ("1,200"); "1,8" is ambiguous (a decimal comma?) and not a match
        if not re.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", cleaned):
            return None
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _section(parsed: CausalParse, raw: str) -> str:
    return parsed.answer if parsed.has_answer and parsed.answer else raw


def extract_number(response: str | None, mode: str = "strict", parsed: CausalParse | None = None) -> str | None:
    """The answer number as a canonical string, or None when nothing matches."""
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    text = _section(parsed, raw)
    if mode == "strict":
        for pattern in _STRICT_NUM:
            hits = pattern.findall(text)
            if hits:
                return normalize_number(hits[-1])
        return None
    if mode == "flexible":
        hits = _ANY_NUM.findall(text)
        return normalize_number(hits[-1]) if hits else None
    raise ValueError(f"unknown extraction mode {mode!r} (strict, flexible)")


def extract_letter(response: str | None, mode: str = "strict", parsed: CausalParse | None = None) -> str | None:
    """The chosen option letter (A-D), or None."""
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    text = _section(parsed, raw)
    if mode == "strict":
        for pattern in _STRICT_LETTER:
            hits = pattern.findall(text)
            if hits:
                return hits[-1].upper()
        return None
    if mode == "flexible":
        hits = [a or b for a, b in _ANY_LETTER.findall(text)]
        return hits[-1].upper() if hits else None
    raise ValueError(f"unknown extraction mode {mode!r} (strict, flexible)")


def math_equivalent(gold: str, candidate: str | None) -> bool:
    """Whether ``candidate`` (free text, LaTeX or a number) states a value equal to ``gold``."""
    if not candidate:
        return False
    from math_verify import parse, verify

    gold_parsed = parse(str(gold))
    # A bare "1,200" is read as a thousands separator by math-verify; LaTeX and "$" forms too.
    cand_parsed = parse(str(candidate))
    if not gold_parsed or not cand_parsed:
        return False
    return bool(verify(gold_parsed, cand_parsed))
