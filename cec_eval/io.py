"""Reading and writing the files the CLI takes: JSONL, CSV/TSV or plain text (one item per line).

One reader and one writer for the whole project:

* :func:`read_text` is how every text input is read: UTF-8 (a byte-order mark, as spreadsheets
  write, is dropped), UTF-16 when the file starts with its byte-order mark, ``.gz`` transparently.
  Bytes that do not decode give one :class:`InputError` line naming the file and line, never a
  ``UnicodeDecodeError`` traceback.
* :func:`atomic_write` (and :func:`atomic_write_text` / :func:`write_json` /
  :func:`write_jsonl_rows` on top of it) is how every output file is written: a temporary file
  with a unique name in the target's folder, flushed and fsynced, then ``os.replace``-d onto the
  target. A reader (or a second writer) sees the old file or the new one, never a part of one;
  two concurrent writers of the same path both finish and the last rename wins.

Rows are numbered from 0 in error messages, as in the Python API; line numbers (from 1) are
added where a file is at fault.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import os
import re
import tempfile
import zlib
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Sequence

from .errors import InputError

TEXT_FIELDS = ("text", "explanation", "output")


# -- reading ----------------------------------------------------------------------------------
def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json", ".gz"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    return "text"


def decode_text(data: bytes, source: Any) -> str:
    """``data`` as text: UTF-8 with an optional byte-order mark, or UTF-16 when it starts with
    a UTF-16 byte-order mark. :class:`InputError` ``"<source>:<line>: not valid UTF-8 ..."``
    when a byte does not decode."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data  # the codec reads the mark and drops it
    else:
        encoding = "utf-8"
        body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as e:
        before = body[:e.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        name = "UTF-8" if encoding == "utf-8" else "UTF-16"
        raise InputError(
            f"{source}:{line}: not valid {name} (byte 0x{body[e.start]:02x} at column {column}); "
            "save the file as UTF-8"
        ) from None


def read_text(path: str | os.PathLike) -> str:
    """The whole text of a file (see :func:`decode_text`; ``.gz`` is decompressed first).
    ``FileNotFoundError`` when it does not exist; :class:`InputError` for a folder, an unreadable
    file, a broken gzip stream or undecodable bytes."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror or e})") from None
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise InputError(f"{path}: not a readable gzip file ({e})") from None
    return decode_text(data, path)


def text_lines(text: str) -> list[str]:
    """Lines of ``text`` split on ``\\n``, ``\\r\\n`` or ``\\r`` (as ``open()`` does), without the
    line ends; a final line end does not add an empty line. Unlike ``str.splitlines`` it does not
    split on U+2028 and friends, which may sit inside a JSON string."""
    return [line.rstrip("\n") for line in io.StringIO(text, newline=None)]


def _json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-blank line of a JSONL file (``.gz`` too)."""
    for lineno, line in enumerate(text_lines(read_text(path)), 1):
        if not line.strip():
            continue
        yield lineno, _parse_json(line, path, lineno)


def _parse_json(text: str, path: Any, lineno: int | None = None) -> Any:
    """``json.loads`` whose errors are one :class:`InputError` line naming ``path`` and the line
    (``lineno`` for a JSONL line, else the line in ``text``); a ``\\ud800``-style escape that
    leaves a lone surrogate (no character, cannot be written as UTF-8) is one too."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        where = f"{path}:{lineno if lineno is not None else e.lineno}"
        raise InputError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise InputError(f"{path}{f':{lineno}' if lineno else ''}: JSON nested too deeply") from None
    if "\\u" in text and re.search(r"\\u[dD][89a-fA-F]", text):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"{path}{f':{lineno}' if lineno else ''}: a \\u escape gives a lone surrogate, "
                             "which is not text") from None
    return value


def read_json(path: str | os.PathLike) -> Any:
    """The JSON value of a whole file, read with :func:`read_text`; :class:`InputError` names the
    file, line and column of a syntax error."""
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: empty file, expected JSON")
    return _parse_json(text, path)


def read_jsonl(path: str | os.PathLike, required: Iterable[str] = ()) -> list[dict[str, Any]]:
    """JSON objects of a JSONL file (``.gz`` too); :class:`InputError` names the line of a
    malformed row, a non-object or a missing ``required`` field."""
    path = Path(path)
    rows = []
    for lineno, row in _json_lines(path):
        if not isinstance(row, dict):
            raise InputError(f"{path}:{lineno}: row {len(rows)}: expected a JSON object, got {type(row).__name__}")
        for name in required:
            if name not in row:
                raise InputError(f"{path}:{lineno}: row {len(rows)} has no field {name!r}")
        rows.append(row)
    return rows


def _numbered_records(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, row) of a JSONL, CSV/TSV or plain-text file (see :func:`read_records`)."""
    fmt = _format(path)
    if fmt == "jsonl":
        return [(n, v if isinstance(v, dict) else {"text": v}) for n, v in _json_lines(path)]
    text = read_text(path)
    if fmt == "text":
        return [(n, {"text": line}) for n, line in enumerate(text_lines(text), 1)]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="," if fmt == "csv" else "\t",
                        strict=True)  # strict: an unclosed quote is an error, not the rest of the file in one cell
    out: list[tuple[int, dict[str, Any]]] = []
    try:
        header = next(reader, None)
        if header is None:
            return []
        if len(set(header)) != len(header):
            raise InputError(f"{path}:1: header names a column twice: {header}")
        for cells in reader:
            if not cells:  # a blank line: csv skips it too
                continue
            if len(cells) != len(header):
                raise InputError(
                    f"{path}:{reader.line_num}: row {len(out)} has {len(cells)} fields, the header has {len(header)}"
                )
            out.append((reader.line_num, dict(zip(header, cells))))
    except csv.Error as e:
        raise InputError(f"{path}:{reader.line_num}: not valid {fmt.upper()} ({e})") from None
    return out


def read_records(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Rows of a JSONL (objects, or bare strings/lists), CSV/TSV (header row) or plain-text file
    (``{"text": line}`` per line; blank lines are kept so rows stay aligned). Files are read with
    :func:`read_text`; a CSV row with more or fewer cells than the header is an error naming its line."""
    return [row for _, row in _numbered_records(Path(path))]


def pick_field(rows: Sequence[dict], field: str | None, candidates: Iterable[str], path: Any = "") -> str:
    """The column to read: ``field`` if given, else the only column, else the first candidate
    present in the first row."""
    if not rows:
        raise InputError(f"{path}: no rows")
    keys = list(rows[0].keys())
    if field is not None:
        if field not in keys:
            raise InputError(f"{path}: row 0: no field {field!r}; fields are {keys}")
        return field
    if len(keys) == 1:
        return keys[0]
    for name in candidates:
        if name in keys:
            return name
    raise InputError(f"{path}: cannot tell which field holds the text; fields are {keys} (name one)")


def read_texts(path: str | os.PathLike, field: str | None = None, role: str = "text") -> list[Any]:
    """One value per row: a str, or (``role="reference"``) a non-empty list of str for
    multi-reference files. A CSV/TSV cell that holds a JSON list (``["a", "b"]``) is read as
    that list. :class:`InputError` names the file, line, row and field of a missing or
    non-text value."""
    path = Path(path)
    numbered = _numbered_records(path)
    name = pick_field([r for _, r in numbered], field, (role, f"{role}s", *TEXT_FIELDS), path)
    tabular = _format(path) in ("csv", "tsv")
    values = []
    for i, (lineno, row) in enumerate(numbered):
        where = f"{path}:{lineno}: row {i}"
        if name not in row:
            raise InputError(f"{where} has no field {name!r}")
        value = row[name]
        if isinstance(value, str) and value.startswith("[") and tabular:
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        if isinstance(value, list) and role == "reference":
            if not value or not all(isinstance(v, str) for v in value):
                raise InputError(f"{where}: field {name!r} must be text or a non-empty list of text")
        elif not isinstance(value, str):
            got = "null" if value is None else type(value).__name__
            raise InputError(f"{where}: field {name!r} is {got}, expected text")
        values.append(value)
    return values


# -- writing ----------------------------------------------------------------------------------
def _new_file_mode() -> int:
    """What ``open(path, "w")`` would give a new file: 0o666 less the umask (read from
    /proc, so the process umask is never changed; 0o022 assumed elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    return 0o644


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Open a unique temporary file next to ``path`` (``mode`` ``"w"``: UTF-8 text, ``"wb"``:
    bytes); on a clean exit it is flushed, fsynced and renamed onto ``path``; on an exception it
    is removed and ``path`` is left as it was. The new file gets the mode an existing ``path`` had
    (else the umask's). Parent folders are created."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        file_mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        file_mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (open(fd, "w", encoding="utf-8", newline="") if mode == "w" else open(fd, "wb")) as fh:
            os.fchmod(fh.fileno(), file_mode)
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX folders only)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """``text`` to ``path`` as UTF-8, atomically (:func:`atomic_write`); returns the path."""
    with atomic_write(path, "w") as fh:
        fh.write(text)
    return Path(path)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """``data`` to ``path``, atomically (:func:`atomic_write`); returns the path."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_jsonl_rows(rows: Iterable[Any], path: str | os.PathLike) -> Path:
    """One JSON value per line, atomically (:func:`atomic_write`); returns the path."""
    with atomic_write(path, "w") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return Path(path)


def write_json(obj: Any, path: str | os.PathLike | None) -> None:
    """Pretty JSON to ``path`` (``-`` or None: stdout), written atomically (:func:`atomic_write`)."""
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    if path in (None, "-"):
        print(text)
        return
    atomic_write_text(path, text + "\n")
