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

Chat templates of reasoning models often put the opening ``<think>`` into the *prompt*
(``add_generation_prompt`` ends with ``<think>\n``), so the output starts inside the think block
and shows only ``</think>``. Such an output is parsed exactly as if the opening marker were there
(``think_form == "prefilled"``), so compliance and the reasoning scored with CEC are the same as
for the full trace. The Qwen-token form has no closing markers; there an output whose first marker
is ``<|im_start|>causality`` (or ``answer``, after some text) with no think marker before it counts
as prefilled.

A response whose reasoning block is still open at its end (an opened think or causality block with
no ``</think>`` and no answer marker after it) is **unfinished** (``reasoning_open``): whatever
answer-like text sits in that block is a step of the reasoning, not an answer.

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
    #: how the think block opened: "tagged" (the output has the opening marker), "prefilled" (the
    #: chat template supplied it: the output starts inside the block) or "none" (no think block)
    think_form: str = "none"
    #: the output ends inside its reasoning (an open think/causality block, no answer after it)
    reasoning_open: bool = False

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


def _prefilled_opener(text: str, markers: list[re.Match]) -> str | None:
    """The think marker a chat template supplied, if the output starts inside a think block."""
    first = markers[0]
    for m in markers:
        tag = (m.group("tag") or m.group("qtag")).lower()
        if tag == "think" and not m.group("close"):
            return None  # the output opens its own think block before closing one
        if tag == "think" and m.group("close"):
            return "<think>\n"  # </think> with no opener before it
    # Qwen tokens have no closers: the first marker is causality (or answer after some text)
    # and no think marker appears anywhere.
    ftag = first.group("qtag")
    if ftag and ftag.lower() == "causality":
        return "<|im_start|>think\n"
    if ftag and ftag.lower() == "answer" and text[: first.start()].strip():
        return "<|im_start|>think\n"
    return None


def parse_causal_response(text: str | None) -> CausalParse:
    """Split a model response into think / causality / answer sections.

    Rules (each one keeps a malformed response as useful as possible):

    * an opening marker starts a section that ends at its closing tag, at the next marker of
      any kind, or at the end of the text;
    * the answer is the text after the first ``</think>`` (or after the first ``answer`` marker)
      up to the next marker: a second block the model writes afterwards is not the answer;
    * an output that starts inside a think block opened by the chat template (``</think>`` with no
      opener, or the Qwen forms in the module docstring) is parsed as if the opener were there;
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
    opener = _prefilled_opener(text, markers)
    if opener:
        text = opener + text
        markers = list(_MARKER.finditer(text))

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
        if answer_text is not None:
            continue  # the answer was given: later blocks (a repeat, a new example) are not it
        if m.group("close"):
            open_sections.discard(tag)
            if tag == "think":
                # The first </think> ends the reasoning; what follows (up to the next marker) is
                # the answer candidate.
                open_sections.discard("causality")
                if after_think_close is None:
                    after_think_close = segment
                    if segment.strip():
                        answer_text = segment
            elif "think" in open_sections:
                # Text after </causality> but still inside the think block.
                think_parts.append(segment)
            elif tag == "answer":
                pass
            else:
                # </causality> outside any think block: treat trailing text as a late answer.
                after_think_close = segment if after_think_close is None else after_think_close + segment
            continue
        if tag == "think" and after_think_close is not None:
            continue  # a second think block after the answer section started: not the answer
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
            open_sections.discard("think")
            open_sections.discard("causality")

    # Closing tags are optional in the Qwen variant; record which XML closers are missing.
    if "xml" in forms:
        for tag in ("think", "causality"):
            opened = any((m.group("tag") or "").lower() == tag and not m.group("close") for m in markers)
            closed = any((m.group("tag") or "").lower() == tag and m.group("close") for m in markers)
            if opened and not closed:
                result.missing_closers.append(tag)

    if answer_text is None and after_think_close is not None and after_think_close.strip():
        answer_text = after_think_close
    if answer_text is not None and answer_text.strip():
        result.has_answer = True
    if answer_text is None and not result.has_think and not result.has_causality:
        # e.g. only an unexpected </answer>: fall back to the whole text
        answer_text = _MARKER.sub(" ", text)
    # Unfinished: a reasoning block opened and nothing closed it or followed it.
    result.reasoning_open = bool(open_sections & {"think", "causality"}) and after_think_close is None and not result.has_answer
    result.variant = "mixed" if len(forms) > 1 else forms.pop()
    result.think_form = "prefilled" if opener else ("tagged" if result.has_think else "none")
    result.think = _clean("\n".join(p.strip() for p in think_parts if p.strip()))
    result.causality = _clean("\n".join(p.strip() for p in causality_parts if p.strip()))
    result.answer = _clean(answer_text or "")
    if result.think:
        result.reasoning = result.think
    else:
        # markers but no think block (e.g. just an answer marker): reasoning is what came first
        result.reasoning = _clean(text[: markers[0].start()])
    return result
