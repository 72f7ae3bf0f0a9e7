"""GSM8K worked solutions as Claire traces: a deterministic, offline teacher.

GSM8K's solutions mark every arithmetic step with a calculator annotation ``<<a*b=c>>``. This
module turns a solution into the Claire format (seed 002 §5.3.1)::

    <think>
    <the solution, annotations removed, "#### N" dropped>
    <causality>
    Given quantities: 48.
    24 (clips in May) = 48/2, so 48 causes 24.
    72 (clips altogether in April and May) = 48+24, so 48 and 24 cause 72.
    </causality>
    </think>
    The answer is 72.

The causality block states the quantities and which computed value causes which: every
computed value (the right side of an annotation) is caused by its operands (the numbers on the
left side). An operand equal to an earlier computed value is that value (a causal chain);
the others are *given* (from the question, or constants such as 100 or 60). The short
description in parentheses is the text right after the annotation's result on its line, up to
punctuation, at most 8 words (left out when empty). Solutions without annotations get the one
line ``No calculator steps.``. The same input always gives the same text (no model, no
randomness).
"""
from __future__ import annotations

import re

from cec_eval.errors import InputError

#: ``<<expression=result>>``; the expression may itself contain no ``>``
_ANNOTATION = re.compile(r"<<([^<>]*?)=([^<>=]*)>>")
_ANY_ANNOTATION = re.compile(r"<<[^>]*>>")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
#: the description ends at sentence punctuation (a decimal point inside a number does not end it)
_DESCRIPTION = re.compile(r"^[^\n,;:!?=]*?(?=\.(?!\d)|[\n,;:!?=]|$)")
_MAX_DESCRIPTION_WORDS = 8


def _num(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def _fmt(text: str) -> str:
    """A number as written, without thousands separators or a leading-dot form (".5" -> "0.5")."""
    t = text.replace(",", "").strip()
    return "0" + t if t.startswith(".") else t


def _description(after: str, result: str) -> str:
    """Words after ``<<...>>`` on the same line: the result as printed, then a unit-ish phrase."""
    rest = after.lstrip()
    m = _NUMBER.match(rest)
    if m and _num(m.group(0)) == _num(result):  # the result as printed ("7,800" for 7800)
        rest = rest[m.end():]
    m = _DESCRIPTION.match(rest)
    words = (m.group(0) if m else "").split()
    # a leading currency/percent sign belongs to the number, not to the description
    words = [w for w in words if w not in ("$", "%")][:_MAX_DESCRIPTION_WORDS]
    return " ".join(words).strip(" .%$")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def causal_steps(solution: str) -> list[dict]:
    """One dict per calculator annotation, in order: ``{"result", "expression", "operands",
    "computed" (operands that are earlier results), "description"}``; numbers as strings without
    thousands separators."""
    steps: list[dict] = []
    seen: list[float] = []
    for m in _ANNOTATION.finditer(solution):
        expression, result = m.group(1).strip(), _fmt(m.group(2))
        value = _num(result)
        if value is None:  # a malformed annotation ("<<x=?>>") states no quantity
            continue
        operands: list[str] = []
        for tok in _NUMBER.findall(expression):
            t = _fmt(tok)
            if t not in operands:
                operands.append(t)
        line_end = solution.find("\n", m.end())
        after = solution[m.end(): line_end if line_end >= 0 else len(solution)]
        computed = [o for o in operands if _num(o) in seen]
        steps.append({"result": result, "expression": expression.replace(" ", ""), "operands": operands,
                      "computed": computed, "description": _description(after, m.group(2))})
        seen.append(value)
    return steps


def causality_block(solution: str) -> str:
    """The lines inside ``<causality>``: given quantities, then one cause line per computed value."""
    steps = causal_steps(solution)
    if not steps:
        return "No calculator steps."
    given: list[str] = []
    for s in steps:
        for o in s["operands"]:
            if o not in s["computed"] and o not in given:
                given.append(o)
    lines = [f"Given quantities: {', '.join(given)}."] if given else []
    for s in steps:
        name = f"{s['result']} ({s['description']})" if s["description"] else s["result"]
        if s["operands"]:
            verb = "causes" if len(s["operands"]) == 1 else "cause"
            lines.append(f"{name} = {s['expression']}, so {_join(s['operands'])} {verb} {s['result']}.")
        else:
            lines.append(f"{name} = {s['expression']}.")
    return "\n".join(lines)


def clean_solution(solution: str) -> str:
    """The worked solution without annotations and without the final ``#### N`` line
    (the same text ``gsm8k_causal`` scores CEC against)."""
    return _ANY_ANNOTATION.sub("", solution.split("####")[0]).strip()


def gold_answer(solution: str) -> str:
    """The number after ``####`` (thousands separators removed); InputError when there is none."""
    if "####" not in solution:
        raise InputError("GSM8K solution has no '#### <answer>' line")
    return solution.split("####")[-1].strip().replace(",", "")


def to_claire(solution: str) -> str:
    """A GSM8K ``answer`` field as a Claire trace: ``<think>`` solution ``<causality>`` cause lines
    ``</causality></think>`` then ``The answer is N.``"""
    gold = gold_answer(solution)
    return (f"<think>\n{clean_solution(solution)}\n<causality>\n{causality_block(solution)}\n</causality>\n</think>\n"
            f"The answer is {gold}.")
