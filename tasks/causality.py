"""Parse responses in the Claire causality format (seed 002).

The canonical format is XML-like::

    <think> ... <causality> ... </causality> ... </think>
    final answer

Seed 002 §3.3 also trains Qwen models on their native special tokens: ``<think>`` becomes
``<|im_start|>think``, ``<causality>`` becomes ``<|im_start|>causality``, the closing tags are
removed, and the answer is introduced by ``<|im_start|>answer`` (printed as ``<im_start>answer``
once the tokenizer drops the bars). With no closing tags a section simply runs until the next
marker, so the parser treats every opening marker as "a new section starts here" and closing tags
as optional.

The parser is pure string work (no lm-eval import) so it is cheap to unit-test and reuse.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

SECTIONS = ("think", "causality", "answer")

# One regex for every marker form: ``<think>``, ``</think>``, ``<|im_start|>think``,
# ``<im_start>think``, ``<|im_start|> think`` and the markdown-escaped ``<im\_start>think`` that
# appears when such outputs are pasted into documents.
_MARKER = re.compile(
    r"<\s*(?P<close>/)?\s*(?P<tag>think|causality|answer)\s*>"
    r"|<\|?\s*im\\?_start\s*\|?>\s*(?P<qtag>think|causality|answer)\b",
    re.IGNORECASE,
)
# Chat-template debris a model may emit around its answer.
_DEBRIS = re.compile(r"<\|?\s*im\\?_end\s*\|?>|<\|endoftext\|>|</s>|<\|eot_id\|>", re.IGNORECASE)


@dataclass
class CausalParse:
    """What a response contains, section by section (text with markers removed)."""

    think: str = ""
    causality: str = ""
    answer: str = ""
    #: the reasoning to score with CEC: the whole think block (causality included); without a think
    #: block, the text before the first marker, or the whole text if there are no markers
    reasoning: str = ""
    #: "xml", "qwen" (special-token markers), "mixed" or "none"
    variant: str = "none"
    has_think: bool = False
    has_causality: bool = False
    has_answer: bool = False
    #: closing tags that were expected but missing (accepted, but recorded)
    missing_closers: list[str] = field(default_factory=list)

    @property
    def compliant(self) -> bool:
        """Format compliance: a think block with a causality block inside it, then a non-empty
        answer. Missing closing tags are allowed (the Qwen-token variant has none)."""
        return self.has_think and self.has_causality and self.has_answer and bool(self.answer.strip())

    def to_dict(self) -> dict:
        d = asdict(self)
        d["compliant"] = self.compliant
        return d


def _clean(text: str) -> str:
    return _DEBRIS.sub("", text).strip()


def parse_causal_response(text: str | None) -> CausalParse:
    """Split a model response into think / causality / answer sections.

    Rules (each one keeps a malformed response as useful as possible):

    * an opening marker starts a section that ends at its closing tag, at the next marker of
      any kind, or at the end of the text;
    * text after ``</think>`` (or after an ``answer`` marker) is the answer; with an ``answer``
      marker only the text after the *last* such marker counts;
    * a response with no markers at all is all answer (so flexible extraction still works) and all
      reasoning (so CEC still scores what the model wrote; compliance is reported separately).
    """
    result = CausalParse()
    if not text:
        return result
    text = str(text)
    markers = list(_MARKER.finditer(text))
    if not markers:
        # No format at all: the whole text is both the answer and the reasoning (compliance is
        # reported separately, so CEC still measures the reasoning the model did write).
        result.answer = result.reasoning = _clean(text)
        return result

    forms = set()
    think_parts: list[str] = []
    causality_parts: list[str] = []
    answer_text: str | None = None
    after_think_close: str | None = None
    open_sections: set[str] = set()

    for i, m in enumerate(markers):
        tag = (m.group("tag") or m.group("qtag")).lower()
        forms.add("qwen" if m.group("qtag") else "xml")
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        segment = text[m.end():end]
        if m.group("close"):
            open_sections.discard(tag)
            if tag == "think":
                # Whatever follows </think> (up to the next marker) is the answer candidate.
                after_think_close = segment
            elif "think" in open_sections:
                # Text after </causality> but still inside the think block.
                think_parts.append(segment)
            elif tag == "answer":
                pass
            else:
                # </causality> outside any think block: treat trailing text as a late answer.
                after_think_close = segment if after_think_close is None else after_think_close + segment
            continue
        open_sections.add(tag)
        if tag == "think":
            result.has_think = True
            think_parts.append(segment)
        elif tag == "causality":
            result.has_causality = True
            causality_parts.append(segment)
            think_parts.append(segment)
        else:  # answer
            result.has_answer = True
            answer_text = segment

    # Closing tags are optional in the Qwen variant; record which XML closers are missing.
    if "xml" in forms:
        for tag in ("think", "causality"):
            opened = any((m.group("tag") or "").lower() == tag and not m.group("close") for m in markers)
            closed = any((m.group("tag") or "").lower() == tag and m.group("close") for m in markers)
            if opened and not closed:
                result.missing_closers.append(tag)

    if answer_text is None and after_think_close is not None and after_think_close.strip():
        answer_text = after_think_close
        result.has_answer = True
    if answer_text is None and not result.has_think and not result.has_causality:
        # e.g. only an unexpected </answer>: fall back to the whole text
        answer_text = _MARKER.sub(" ", text)
    result.variant = "mixed" if len(forms) > 1 else forms.pop()
    result.think = _clean("\n".join(p.strip() for p in think_parts if p.strip()))
    result.causality = _clean("\n".join(p.strip() for p in causality_parts if p.strip()))
    result.answer = _clean(answer_text or "")
    if result.think:
        result.reasoning = result.think
    else:
        # markers but no think block (e.g. just an answer marker): reasoning is what came first
        result.reasoning = _clean(text[: markers[0].start()])
    return result
