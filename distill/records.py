"""JSONL files between the pipeline steps: each step writes one file the next one reads.

Writes are atomic (temporary file + rename) so an interrupted step never leaves a half-written
output that the next step would silently read. GPQA rows are refused: GPQA may only ever be held
in memory (its archive is password-protected to keep it out of crawls and training sets)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterable

from cec_eval.errors import InputError
from cec_eval.io import read_jsonl  # noqa: F401  (the pipeline's reader; re-exported)

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
    """Writes ``rows`` atomically; returns the path."""
    check_writable(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    return path


def write_json(obj: Any, path: str | os.PathLike) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
