"""Reading and writing the files the CLI takes: JSONL, CSV/TSV or plain text (one item per line).

Rows are numbered from 0 in error messages, as in the Python API; line numbers (from 1) are
added where a file is at fault.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .errors import InputError

TEXT_FIELDS = ("text", "explanation", "output")


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json", ".gz"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    return "text"


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank line of a JSONL file (``.gz`` too)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None


def read_jsonl(path: str | os.PathLike, required: Iterable[str] = ()) -> list[dict[str, Any]]:
    """JSON objects of a JSONL file (``.gz`` too); :class:`InputError` names the line of a
    malformed row, a non-object or a missing ``required`` field."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    rows = []
    for lineno, row in _json_lines(path):
        if not isinstance(row, dict):
            raise InputError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
        for name in required:
            if name not in row:
                raise InputError(f"{path}:{lineno}: row {len(rows)} has no field {name!r}")
        rows.append(row)
    return rows


def read_records(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Rows of a JSONL (objects, or bare strings/lists), CSV/TSV (header row) or plain-text file
    (``{"text": line}`` per line; blank lines are kept so rows stay aligned)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    fmt = _format(path)
    if fmt == "jsonl":
        return [value if isinstance(value, dict) else {"text": value} for _, value in _json_lines(path)]
    with open(path, encoding="utf-8", newline="" if fmt in ("csv", "tsv") else None) as fh:
        if fmt in ("csv", "tsv"):
            return [dict(r) for r in csv.DictReader(fh, delimiter="," if fmt == "csv" else "\t")]
        return [{"text": line.rstrip("\r\n")} for line in fh]


def pick_field(rows: Sequence[dict], field: str | None, candidates: Iterable[str], path: Any = "") -> str:
    """The column to read: ``field`` if given, else the only column, else the first candidate
    present in the first row."""
    if not rows:
        raise InputError(f"{path}: no rows")
    keys = list(rows[0].keys())
    if field is not None:
        if field not in keys:
            raise InputError(f"{path}: no field {field!r}; fields are {keys}")
        return field
    if len(keys) == 1:
        return keys[0]
    for name in candidates:
        if name in keys:
            return name
    raise InputError(f"{path}: cannot tell which field holds the text; fields are {keys} (name one)")


def read_texts(path: str | os.PathLike, field: str | None = None, role: str = "text") -> list[Any]:
    """One value per row (a str, or a list of str for multi-reference files). A CSV/TSV cell that
    holds a JSON list (``["a", "b"]``) is read as that list."""
    rows = read_records(path)
    name = pick_field(rows, field, (role, f"{role}s", *TEXT_FIELDS), path)
    values = []
    for i, row in enumerate(rows):
        if name not in row:
            raise InputError(f"{path}: row {i} has no field {name!r}")
        value = row[name]
        if isinstance(value, str) and value.startswith("[") and _format(Path(path)) in ("csv", "tsv"):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        values.append(value)
    return values


def write_json(obj: Any, path: str | os.PathLike | None) -> None:
    """Pretty JSON to ``path`` (``-`` or None: stdout), written atomically."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    if path in (None, "-"):
        print(text)
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, path)
