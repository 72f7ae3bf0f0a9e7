"""JSONL files between the pipeline steps: each step writes one file the next one reads.

Reads and writes go through :mod:`cec_eval.io` (one reader, one atomic writer), so an
interrupted step never leaves a half-written output that the next step would silently read.
GPQA rows are refused: GPQA may only ever be held in memory (its archive is password-protected
to keep it out of crawls and training sets)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

from cec_eval.errors import InputError
from cec_eval.io import read_jsonl, write_jsonl_rows
from cec_eval.io import write_json as _write_json

__all__ = ["IN_MEMORY_ONLY", "check_writable", "read_jsonl", "write_json", "write_jsonl"]

#: sources whose rows must never be written to disk in plain text
IN_MEMORY_ONLY = ("gpqa",)


def check_writable(rows: Iterable[dict]) -> None:
    for i, row in enumerate(rows):
        source = str(row.get("source", ""))
        if source.split(":")[0] in IN_MEMORY_ONLY:
            raise InputError(
                f"row {i}: source {source!r} may only be held in memory (never written to disk in plain "
                "text); chain the steps through the Python API instead (see docs/distill.md)"
            )


def write_jsonl(rows: list[dict], path: str | os.PathLike) -> Path:
    """Writes ``rows`` atomically (:func:`cec_eval.io.atomic_write`); returns the path."""
    check_writable(rows)
    return write_jsonl_rows(rows, path)


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    """Pretty JSON, atomically; returns the path."""
    _write_json(obj, path)
    return Path(path)
