"""Sentence splitting: the first of CEC's three swappable parts (split → match → aggregate).

A :class:`Splitter` turns a text into sentences. Line breaks are handled first (``smart``, the
default: a line starts a new block unless it continues a hard-wrapped sentence — the previous line
has no closing punctuation and this one starts in lower case and is not a list item — so list items
and steps of LLM explanations are separate while wrapped prose is not cut), then a sentence
splitter runs on each block. Fragments with no letters, digits or symbols (e.g. a lone "..." or "-"; see
:func:`cec_eval.inputs.has_content`) are dropped, so an
explanation consisting only of punctuation has no sentences and scores as empty.

The default backend was chosen by measurement on tricky text: see ``docs/splitters.md``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Callable, Union

from .inputs import has_content as _has_content

DEFAULT_SPLITTER = "nupunkt"
LINE_MODES = ("smart", "lines", "none")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+\u2022]|\d+[.)]|[A-Za-z][.)]|#+)\s")
_ENDS_BLOCK = re.compile(r"[.!?:\u3002\uff01\uff1f\u2026\"'\u201d\u2019)\]*]\s*$")


def _pkg_version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover
        return "?"


@lru_cache(maxsize=None)
def _pysbd() -> Callable[[str], list[str]]:
    import pysbd

    # clean=False keeps the text as written (clean=True rewrites it, e.g. drops line breaks).
    segmenter = pysbd.Segmenter(language="en", clean=False)
    return segmenter.segment


@lru_cache(maxsize=None)
def _nupunkt() -> Callable[[str], list[str]]:
    import nupunkt

    return nupunkt.sent_tokenize


@lru_cache(maxsize=None)
def _syntok() -> Callable[[str], list[str]]:
    from syntok import segmenter

    def split(text: str) -> list[str]:
        return [
            "".join(tok.spacing + tok.value for tok in sentence).strip()
            for paragraph in segmenter.analyze(text)
            for sentence in paragraph
        ]

    return split


_REGEX = re.compile(r"(?<=[.!?])\s+")


def _regex() -> Callable[[str], list[str]]:
    return _REGEX.split


def _whole() -> Callable[[str], list[str]]:
    return lambda text: [text]


#: backend name -> (factory, PyPI distribution whose version goes in the signature)
BACKENDS: dict[str, tuple[Callable[[], Callable[[str], list[str]]], str | None]] = {
    "pysbd": (_pysbd, "pysbd"),
    "nupunkt": (_nupunkt, "nupunkt"),
    "syntok": (_syntok, "syntok"),
    "regex": (_regex, None),
    "none": (_whole, None),  # the whole text (or line) is one sentence
}


def line_blocks(text: str, mode: str = "smart") -> list[str]:
    """Blocks of text to split further: every line (``lines``), the whole text (``none``), or
    lines with hard-wrapped continuations re-joined (``smart``)."""
    if mode == "none":
        return [text] if text.strip() else []
    blocks: list[str] = []
    previous_open = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            previous_open = False
            continue
        if mode == "smart" and previous_open and stripped[0].islower() and not _LIST_ITEM.match(line):
            blocks[-1] += " " + stripped
        else:
            blocks.append(stripped)
        previous_open = not _ENDS_BLOCK.search(stripped)
    return blocks


@dataclass(frozen=True)
class Splitter:
    """Callable text → sentences. ``name`` is what the signature records."""

    backend: str = DEFAULT_SPLITTER
    lines: str = "smart"  # how line breaks count: see line_blocks()
    _fn: Callable[[str], list[str]] | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        if self._fn is not None:
            base = getattr(self._fn, "__name__", "custom")
        else:
            dist = BACKENDS[self.backend][1]
            base = f"{self.backend}-{_pkg_version(dist)}" if dist else self.backend
        return base + ("" if self.lines == "none" else f"+{self.lines}")

    def __call__(self, text: str) -> list[str]:
        fn = self._fn or BACKENDS[self.backend][0]()
        out: list[str] = []
        for chunk in line_blocks(text, self.lines):
            for sentence in fn(chunk):
                sentence = " ".join(sentence.split())
                if _has_content(sentence):
                    out.append(sentence)
        return out


SplitterLike = Union[str, Splitter, Callable[[str], list[str]], None]


def get_splitter(spec: SplitterLike = None) -> Splitter:
    """``None``/"default" → the measured default (nupunkt, smart line handling); a backend name,
    optionally with a line mode (``nupunkt+lines``, ``pysbd+smart``, ``regex+none``); a
    :class:`Splitter`; or any callable ``str -> list[str]`` (run on each line block)."""
    if isinstance(spec, Splitter):
        return spec
    if spec is None or spec == "default":
        return Splitter(DEFAULT_SPLITTER)
    if isinstance(spec, str):
        name, _, lines = spec.partition("+")
        lines = lines or "smart"
        if lines not in LINE_MODES:
            raise ValueError(f"unknown line mode {lines!r} in splitter {spec!r}; choose from {LINE_MODES}")
        if name not in BACKENDS:
            raise ValueError(f"unknown splitter {spec!r}; choose from {sorted(BACKENDS)} (or pass a callable)")
        return Splitter(name, lines)
    if callable(spec):
        return Splitter("custom", "smart", spec)
    raise TypeError(f"splitter must be a name, a Splitter or a callable, not {type(spec).__name__}")
