"""What counts as the answer of a response, and how it is compared with the gold answer.

The rule (docs/tasks.md, "What counts as the answer"), the same for numbers (GSM8K) and option
letters (GPQA):

1. **Where.** Only the answer section counts: the text after the reasoning (after ``</think>`` or
   the ``answer`` marker; the whole response when it has no format markers), cut where the model
   starts something new: a line opening a new question, problem, example or chat turn.
2. **Unfinished reasoning is no answer.** A response that ends inside its reasoning block (see
   :func:`cec_eval.tasks.causality.parse_causal_response`), or that stops mid-sentence before any
   final-answer statement (:func:`stops_mid_sentence`), has no answer in any mode: it is
   :func:`truncated`.
3. **strict**: the *first* explicit final-answer statement in the answer section: ``#### N``,
   "the (final/correct) answer is N", "Answer: N", "Final answer:" followed by the value. A
   statement states one value: "the answer is 2 * 1 = 2" (an expression), "the answer is 18 or
   20", "(B) and (D)", "A/B" (two answers), "if the answer is 5, then ..." and "my guess: the
   answer is 5" (not a commitment) are not statements. Text after the first statement (a repeat, a correction, a new
   worked example) is not the answer.
4. **flexible**: the strict answer when there is one; otherwise the last number (option marker)
   in the answer section.
5. **math**: the strict statement's value (else the answer section as written), handed to
   ``math-verify``.
6. **Markup is transparent** in every mode: bold/italics (``**``, ``__``, ``*``, ``_``, HTML
   ``<b>``/``<strong>``/``<em>``), code spans, ``\\boxed{}``, ``\\text{}``, ``$…$``, ``\\(…\\)``, ``\\frac{a}{b}`` (= a/b), ``\\$`` and
   ``\\%``, brackets around the value.
7. **Numbers**: a sign (``-`` or ``−``), a currency symbol (``$ € £ ¥``), thousands separators
   ("1,000"; "1,8" is ambiguous and not a number), decimals, fractions ("3/4" = 0.75), and a
   trailing ``%`` or unit words ("18 dollars a day") are read; the canonical form drops them all.
8. **Letters** must be option markers: ``(B)``, ``[B]``, ``"B"``, ``B.``, ``B)``, ``B:``, ``B —``,
   a letter alone at the end of a line, "option B" / "choice B", "C is correct", or a bare B–D
   right after an answer cue. An English article ("a", "A higher temperature") or a capital
   inside a word is never a letter.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .causality import CausalParse, parse_causal_response

OPTION_LETTERS = "ABCD"

# -- markup ------------------------------------------------------------------------------------

_LATEX_WRAPPERS = re.compile(r"\\(?:boxed|fbox|text|textbf|textit|mathbf|mathrm|emph|mbox)\s*\{([^{}]*)\}")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_DROP = re.compile(r"\\(?:left|right|displaystyle|[,;:! ])|\\[()\[\]]")
_LATEX_TIMES = re.compile(r"\\(?:times|cdot)")
_EMPHASIS = re.compile(r"\*\*|__|`+|</?(?:b|strong|em|i|u|code|mark)>", re.IGNORECASE)
# a single * or _ that opens or closes an emphasis span (not "2 * 3", "2*3" or "x_1")
_SINGLE_EMPH = re.compile(r"(?<![\w*])[*_](?=[^\s*_])|(?<=[^\s*_])[*_](?![\w*])")


def strip_markup(text: str) -> str:
    """``text`` with answer markup removed (see rule 6 of the module docstring). Line breaks are
    kept, so a line number in the result is the same line in ``text``."""
    t = str(text)
    t = t.replace("\u2212", "-").replace("{,}", ",").replace("\\$", "$").replace("\\%", "%")
    for _ in range(4):  # nested wrappers: \boxed{\text{B}}
        new = _LATEX_FRAC.sub(r"\1/\2", _LATEX_WRAPPERS.sub(r"\1", t))
        if new == t:
            break
        t = new
    t = _LATEX_TIMES.sub(" × ", _LATEX_DROP.sub(" ", t))
    t = _EMPHASIS.sub("", t).replace("$", "")
    return _SINGLE_EMPH.sub("", t)


# -- where the answer may be -------------------------------------------------------------------

# A line that starts something new: a new question, problem, example or chat turn.
_CONTINUATION = re.compile(
    r"^[ \t>#*]*(?:question|q|problem|example|exercise|human|user|instruction|input)\s*\d*\s*[:.)]"
    r"|^[ \t]*(?:<\|?\s*im_start\s*\|?>\s*user|<\|user\|>|\[INST\])",
    re.IGNORECASE | re.MULTILINE,
)


def answer_span(parsed: CausalParse) -> str:
    """The text that may hold the answer (rule 1): the answer section (the whole response when it
    has no markers; nothing when a think block closed with nothing after it), cut at the first
    line that starts something new (such a line at the very start, e.g. a restated question, is
    kept)."""
    text = parsed.answer
    for m in _CONTINUATION.finditer(text):
        if text[: m.start()].strip():
            return text[: m.start()]
    return text


# -- unfinished output -------------------------------------------------------------------------

#: a response that ends on one of these words stopped mid-sentence
#: (function words that need a continuation: "in total", "$2 each" or "I think so" end sentences)
_DANGLING_WORDS = frozenset(
    "a an the of to and or but nor by with from into onto than as is are was were be been "
    "that which who whose whom then if because since while whereas we i its their his our my your "
    "times plus minus divided multiplied per equals".split()
)
_END_TOKEN = re.compile(r"([^\W\d_]+)\W*$")  # the last word, in any script
_LAST_NUMBER_TAIL = re.compile(r"\d[^\d\n]*$")


def stops_mid_sentence(text: str) -> bool:
    """Whether ``text`` stops in the middle of a sentence (a cut-off generation).

    True when the last character is a comma, colon, semicolon, an operator or an opening bracket;
    or when it ends on a word and that word is a function word ("of", "the", "times", ...) or the
    last line has neither an option marker nor a number within its last four words (a number with
    up to three unit words, "18 dollars a day", ends a sentence). A cut inside a number cannot be
    seen."""
    t = strip_markup(str(text or "")).rstrip()
    if not t:
        return False
    last = t[-1]
    if last in ",;:([{+-*/=×÷^\\&":
        return True
    if not last.isalpha():
        return False
    end = _END_TOKEN.search(t)
    word = end.group(1) if end else last
    if len(word) == 1 and word in OPTION_LETTERS:
        return False
    if word.lower() in _DANGLING_WORDS:
        return True
    line = t.splitlines()[-1]
    if _markers(line):
        return False  # "so C is the right one"
    tail = _LAST_NUMBER_TAIL.search(line)
    return tail is None or len(re.findall(r"[^\W\d_]+", tail.group(0))) > 3


# -- statements --------------------------------------------------------------------------------

# An explicit final-answer cue. What follows it (after markup is stripped) must be the value.
# "Answer - C" / "Answer — 18": a dash as a separator (a hyphen before a number is its sign)
_BE = (r"(?:\s+(?:is|would\s+be|will\s+be|should\s+be|must\s+be))?"
       r"(?:\s*[:：=]|\s+is|\s+(?:[—–]|-(?=\s+[^\d\s$€£¥.]))(?=\s))?\s*")
_CUE = re.compile(
    r"####\s*|\b(?:final\s+|correct\s+|right\s+|best\s+)?answer" + _BE
    + r"|\b(?:final|correct|right|best)\s+(?:option|choice)" + _BE,
    re.IGNORECASE,
)
# words before the cue (same clause / sentence) that make it a hypothesis, not a commitment
_HYPOTHETICAL_CLAUSE = re.compile(r"\b(?:if|suppose|supposing|assume|assuming|whether|unless)\b", re.IGNORECASE)
_HYPOTHETICAL_SENTENCE = re.compile(
    r"\b(?:guess|guessing|maybe|perhaps|probably|not\s+sure|might|could|wonder)\b", re.IGNORECASE
)
# after a value: words that make the value part of a longer clause (an expression, a second
# answer, the subject of a new verb) rather than the stated answer
_CLAUSE_BREAKERS = frozenset(
    "is was are were seems seem looks would could might can cannot can't does did doesn't didn't isn't "
    "wasn't or times plus minus divided multiplied less more than then if".split()
)
_CONNECTIVES = frozenset("because since as so which given from hence therefore thus".split())

_NUM = (
    r"(?:[-+]\s?)?(?:[$€£¥]\s?)?(?:[-+]\s?)?(?:\d(?:[\d,]*\d)?(?:\.\d+)?|\.\d+)"
    r"(?:\s?/\s?\d+(?:\.\d+)?)?"
)
_NUM_AT = re.compile(r"[(\[\"'“‘]?\s*(" + _NUM + r")")
_ANY_NUM = re.compile(r"(?<![\w.])(" + _NUM + r")")


def _committed(text: str, cue_start: int) -> bool:
    """Whether the cue at ``cue_start`` opens a commitment, not a hypothesis (rule 3)."""
    before = text[max(0, cue_start - 200): cue_start]
    sentence = re.split(r"[.!?\n]", before)[-1]
    clause = re.split(r"[,;]", sentence)[-1]
    return not (_HYPOTHETICAL_CLAUSE.search(clause) or _HYPOTHETICAL_SENTENCE.search(sentence))


def _value_ends_statement(after: str) -> bool:
    """Whether the text right after a stated number closes the statement (rule 3)."""
    rest = after.lstrip(" \t")
    rest = re.sub(r"^(?:%|percent\b|per\s*cent\b)", "", rest).lstrip(" \t")
    if not rest or rest[0] == "\n" or rest[0] in ".!?;)]\"'”’":
        return True
    if rest[0] == ",":
        return not re.match(r",\s*[-$]?\d", rest)  # "5, 6 or 7": several answers
    if rest[0] in ":":
        return True
    if rest[0] in "+-*/×÷=^<>≈":
        return False  # an expression: "2 * 1 = 2"
    for i, m in enumerate(re.finditer(r"[ \t]*([^\W\d_]+(?:['’][^\W\d_]+)?)|[ \t]*(\S|\n)", rest)):
        word, other = m.group(1), m.group(2)
        if other == "\n":
            return True
        if other is not None:
            return not (other in "0123456789+*/×÷=^")
        w = word.lower()
        if w in _CLAUSE_BREAKERS:
            return False
        if w in _CONNECTIVES or i >= 6:
            return True
    return True


def number_statement(span: str) -> str | None:
    """The canonical value of the first explicit final-answer statement of a number in ``span``."""
    text = strip_markup(span)
    for cue in _CUE.finditer(text):
        if not _committed(text, cue.start()):
            continue
        # the value may sit on the next line ("**Final Answer**\n\\boxed{18}")
        m = _NUM_AT.match(text, cue.end())
        if m is None:
            continue
        raw = m.group(1)
        end = m.end()
        if text[end: end + 1] in (")", "]", '"', "'", "”", "’"):
            end += 1
        if not _value_ends_statement(text[end:]):
            continue
        value = normalize_number(raw)
        if value is not None:
            return value
    return None


# -- option letters ----------------------------------------------------------------------------

_L = OPTION_LETTERS
_MARKER_PATTERNS = [
    rf"[(\[{{\"'“‘]\s*([{_L}])\s*[)\]}}\"'”’]",  # (B) [B] {B} "B" 'B'
    rf"(?<![A-Za-z0-9'’-])([{_L}])(?=[.):](?![A-Za-z0-9])|[ \t]*$|[ \t]+[—–-][ \t])",  # B. B) B: B — or B at line end
    rf"\b(?:option|choice|letter)\s+([{_L}])\b",  # option B
    rf"(?<![A-Za-z0-9'’-])([{_L}])(?=[ \t]+is[ \t]+(?:the[ \t]+)?(?:correct|right|answer|best)\b)",  # C is correct
]
_MARKER = re.compile("|".join(_MARKER_PATTERNS), re.MULTILINE | re.IGNORECASE)
# right after an answer cue: a bare B-D, or A before a connective ("A because ...", "A, since")
_AFTER_CUE = re.compile(
    rf"[(\[{{]\s*([{_L}])\s*[)\]}}]|([{_L[1:]}])\b(?![.'’-]\w)"
    rf"|(A)(?=[ \t]*(?:$|[,;!?]|[ \t]+(?:because|since|as|which|hence|therefore|so)\b))",
    re.MULTILINE,
)


def _markers(text: str, start: int = 0, end: int | None = None, lowercase: bool = False) -> list[tuple[int, str]]:
    """(position, letter) of every option marker in ``text[start:end]``; letters upper-case only
    unless ``lowercase`` (then "(d)" counts too, bracketed forms only)."""
    out = []
    for m in _MARKER.finditer(text, start, len(text) if end is None else end):
        idx = next(i for i in range(1, len(_MARKER_PATTERNS) + 1) if m.group(i))
        letter = m.group(idx)
        if letter.islower() and not (lowercase and idx == 1):
            continue
        out.append((m.start(idx), letter.upper()))
    return out


_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_JOINED = re.compile(r"[\s)\]}\"'”’.]*(?:,\s*)?(?:or|and|and/or|/|&)\s*[(\[{\"'“‘]?\s*$", re.IGNORECASE)


def _several(text: str, found: list[tuple[int, str]]) -> bool:
    """Whether the first marker is joined to a different one by "or"/"and"/"/" (two answers)."""
    found = sorted(set(found))
    for (p1, l1), (p2, l2) in zip(found, found[1:]):
        if l1 != l2:
            return bool(_JOINED.match(text[p1 + 1: p2]))
    return False


def letter_statement(span: str) -> str | None:
    """The letter of the first explicit final-answer statement of an option letter in ``span``."""
    text = strip_markup(span)
    for cue in _CUE.finditer(text):
        if not _committed(text, cue.start()):
            continue
        # the statement runs to the end of its sentence (or of the next line, for a bare cue line)
        stop = text.find("\n", cue.end())
        stop = len(text) if stop < 0 else stop
        if not text[cue.end(): stop].strip():
            nxt = text.find("\n", stop + 1)
            stop = len(text) if nxt < 0 else nxt
        end = _SENTENCE_END.search(text, cue.end() + 1, stop)
        stop = end.end() if end else stop
        # a bare cue ("Answer probably B") takes only a letter right after it
        bare = not re.search(r"[:：=—–-]|\b(?:is|be)\b|#", cue.group(0), re.IGNORECASE)
        if re.match(rf"[(\[]?([{_L}])[)\]]?\s*(?:/|or|and)\s*[(\[]?(?!\1)[{_L}]\b", text[cue.end(): stop]):
            continue  # "A/B", "A or B": two answers
        found = [] if bare else _markers(text, cue.end(), stop, lowercase=True)
        direct = _AFTER_CUE.match(text, cue.end())
        if direct is not None:
            found.insert(0, (direct.start(), next(g for g in direct.groups() if g)))
        if not found:
            continue
        letters = [letter for _, letter in found]
        if _several(text, found):
            continue  # "(A) or (B)": several answers
        return letters[0]
    return None


# -- the extractors ----------------------------------------------------------------------------


def truncated(response: str | None, parsed: CausalParse | None = None) -> bool:
    """Whether the response stopped before its reasoning finished (rule 2): its reasoning block is
    still open, or its answer section stops mid-sentence with no final-answer statement (of a
    number or a letter) in it."""
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    if parsed.reasoning_open:
        return True
    span = answer_span(parsed)
    if number_statement(span) or letter_statement(span):
        return False
    # a run-on continuation was cut off, not the answer section: judge the part kept
    return stops_mid_sentence(span)


def extract_number(response: str | None, mode: str = "strict", parsed: CausalParse | None = None) -> str | None:
    """The answer number as a canonical string (:func:`normalize_number`), or None."""
    if mode not in ("strict", "flexible"):
        raise ValueError(f"unknown extraction mode {mode!r} (strict, flexible)")
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    if parsed.reasoning_open:
        return None
    span = answer_span(parsed)
    stated = number_statement(span)
    if stated is not None:
        return stated
    if mode == "strict" or truncated(raw, parsed):
        return None
    hits = [normalize_number(h) for h in _ANY_NUM.findall(strip_markup(span))]
    hits = [h for h in hits if h is not None]
    return hits[-1] if hits else None


def extract_letter(response: str | None, mode: str = "strict", parsed: CausalParse | None = None) -> str | None:
    """The chosen option letter (A-D), or None."""
    if mode not in ("strict", "flexible"):
        raise ValueError(f"unknown extraction mode {mode!r} (strict, flexible)")
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    if parsed.reasoning_open:
        return None
    span = answer_span(parsed)
    stated = letter_statement(span)
    if stated is not None:
        return stated
    if mode == "strict" or truncated(raw, parsed):
        return None
    found = _markers(strip_markup(span))
    return found[-1][1] if found else None


def math_candidate(response: str | None, parsed: CausalParse | None = None) -> str | None:
    """What math-verify should read (rule 5): the value of the first final-answer statement
    (canonical, so currency and markup cannot confuse its LaTeX reader), else the answer section
    as written; None when the response is truncated."""
    raw = response or ""
    parsed = parsed or parse_causal_response(raw)
    if truncated(raw, parsed):
        return None
    span = answer_span(parsed)
    stated = number_statement(span)
    if stated is not None:
        return stated
    return span.strip() or None


def normalize_number(text: str | None) -> str | None:
    """Canonical decimal string: "$1,200.00" -> "1200", "-3.50" -> "-3.5", "3/4" -> "0.75",
    "25%" -> "25"; a fraction with no finite decimal stays a reduced fraction ("2/6" -> "1/3").
    None if not a number ("1,8": a decimal comma or a typo, not eighteen)."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s$€£¥%]", "", strip_markup(str(text))).replace("\u2212", "-").rstrip(".,")
    if "," in cleaned:
        # only thousands grouping ("1,200"); "1,8" is ambiguous (a decimal comma?) and not a match
        if not re.fullmatch(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?", cleaned):
            return None
        cleaned = cleaned.replace(",", "")
    cleaned = re.sub(r"^([-+]?)\+?", r"\1", cleaned).replace("--", "")
    try:
        if "/" in cleaned:
            num, den = cleaned.split("/", 1)
            value = Fraction(Decimal(num)) / Fraction(Decimal(den))
        else:
            value = Fraction(Decimal(cleaned))
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:  # no finite decimal
        return f"{value.numerator}/{value.denominator}"
    return format((Decimal(value.numerator) / Decimal(value.denominator)).normalize(), "f")


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
