"""A persistent, size-bounded sentence-embedding store that several processes can share.

>>> import tempfile, numpy as np
>>> store = EmbeddingStore(tempfile.mkdtemp(), "toy@00000000")
>>> store.put(["a b."], np.array([[0.6, 0.8]], np.float32), [False])
>>> store.get(["a b.", "c."])
{'a b.': (array([0.6, 0.8], dtype=float32), False)}

Opt-in: ``CECScorer(cache_dir=...)``, ``--cache-dir`` on the CLI, or the ``CEC_EVAL_EMBED_CACHE``
environment variable (a folder). One SQLite file, ``<folder>/embeddings.sqlite``, in WAL mode
(readers never block the writer; writers queue on SQLite's lock with a 60 s busy timeout), so two
scoring processes can read and write it at once. A row is keyed by a hash of (encoder label,
sentence), where the label names the model, its weights fingerprint and the backend
(``all-MiniLM-L6-v2@1a2b3c4d+onnx-int8``), so vectors of different weights or backends never mix.
The row keeps the float32 vector and whether the encoder truncated the sentence.

Bounded: when the live data passes ``max_bytes`` (default 2 GiB, ``CEC_EVAL_EMBED_CACHE_MAX_MB``)
the least recently used rows are deleted down to 90% of it; SQLite reuses the freed pages, so the
file stops growing at about the bound. sqlite3 is in the standard library.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Sequence

import numpy as np

ENV_DIR = "CEC_EVAL_EMBED_CACHE"
ENV_MAX_MB = "CEC_EVAL_EMBED_CACHE_MAX_MB"
FILE_NAME = "embeddings.sqlite"
DEFAULT_MAX_BYTES = 2 << 30
_CHUNK = 500  # keys per SELECT (SQLite's default variable limit is 32,766; small chunks keep SQL short)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,       -- blake2b-16 of label NUL sentence
    label TEXT NOT NULL,
    vector BLOB NOT NULL,       -- float32, little-endian
    truncated INTEGER NOT NULL,
    used INTEGER NOT NULL       -- last read or write, ns since the epoch (LRU eviction)
);  -- a rowid table: vectors of 1-3 KiB stay on their page (WITHOUT ROWID would spill them)
CREATE INDEX IF NOT EXISTS vectors_used ON vectors (used);
"""


def default_dir() -> str | None:
    """The folder named by ``$CEC_EVAL_EMBED_CACHE``, or None (no persistent cache)."""
    return os.environ.get(ENV_DIR) or None


def _max_bytes() -> int:
    text = os.environ.get(ENV_MAX_MB)
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        mb = float(text)
    except ValueError:
        raise ValueError(f"{ENV_MAX_MB} must be a number of megabytes, not {text!r}") from None
    if mb <= 0:
        raise ValueError(f"{ENV_MAX_MB} must be positive, not {text!r}")
    return int(mb * (1 << 20))


class EmbeddingStore:
    """Vectors of one encoder (``label``) in the SQLite file under ``folder``.

    Args:
        folder: created if missing.
        label: the encoder's identity, e.g. ``all-MiniLM-L6-v2@1a2b3c4d+onnx-int8``.
        max_bytes: bound on the live data (vectors and keys); None = ``$CEC_EVAL_EMBED_CACHE_MAX_MB``
            or 2 GiB.

    A connection is opened per process (a forked child opens its own).
    """

    def __init__(self, folder: str | os.PathLike, label: str, max_bytes: int | None = None) -> None:
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise NotADirectoryError(f"embedding cache {self.folder}: not a folder")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / FILE_NAME
        self.label = label
        self.max_bytes = int(max_bytes) if max_bytes is not None else _max_bytes()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self.connection  # create the schema now, so a bad path fails before any encoding

    @property
    def connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
                conn.executescript(_SCHEMA)
            except sqlite3.DatabaseError as e:
                conn.close()
                raise sqlite3.DatabaseError(f"embedding cache {self.path}: {e}") from None
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def _key(self, sentence: str) -> bytes:
        return hashlib.blake2b(f"{self.label}\0{sentence}".encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, sentences: Sequence[str]) -> dict[str, tuple[np.ndarray, bool]]:
        """{sentence: (float32 vector, truncated)} for the sentences stored under this label."""
        keys = {self._key(s): s for s in dict.fromkeys(sentences)}
        found: dict[str, tuple[np.ndarray, bool]] = {}
        items = list(keys)
        conn = self.connection
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            rows = conn.execute(
                f"SELECT key, vector, truncated FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            for key, blob, cut in rows:
                found[keys[key]] = (np.frombuffer(blob, dtype="<f4").copy(), bool(cut))
        if found:
            now = time.time_ns()
            with conn:  # one short write transaction marks them used
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("UPDATE vectors SET used = ? WHERE key = ?", [(now, self._key(s)) for s in found])
        return found

    def put(self, sentences: Sequence[str], vectors: np.ndarray, truncated: Sequence[bool]) -> None:
        """Store one row per sentence (an existing row is kept: same label, same sentence, same
        vector), then evict the least recently used rows if the store is over its bound."""
        vectors = np.asarray(vectors, dtype="<f4")
        if len(sentences) != len(vectors) or len(sentences) != len(truncated):
            raise ValueError(f"{len(sentences)} sentences, {len(vectors)} vectors, {len(truncated)} flags")
        now = time.time_ns()
        rows = [(self._key(s), self.label, v.tobytes(), int(bool(t)), now) for s, v, t in zip(sentences, vectors, truncated)]
        conn = self.connection
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
            self._evict(conn)

    def _live_bytes(self, conn: sqlite3.Connection) -> int:
        pages = conn.execute("PRAGMA page_count").fetchone()[0] - conn.execute("PRAGMA freelist_count").fetchone()[0]
        return pages * conn.execute("PRAGMA page_size").fetchone()[0]

    def _evict(self, conn: sqlite3.Connection) -> None:
        size = self._live_bytes(conn)
        while size > self.max_bytes:
            n = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
            if n == 0:
                return
            # delete the share of rows that brings the live size to 90% of the bound (at least one)
            k = max(1, int(n * (1 - 0.9 * self.max_bytes / size)) + 1)
            conn.execute("DELETE FROM vectors WHERE key IN (SELECT key FROM vectors ORDER BY used LIMIT ?)", (k,))
            size = self._live_bytes(conn)

    def __len__(self) -> int:
        """Rows under this label."""
        return self.connection.execute("SELECT COUNT(*) FROM vectors WHERE label = ?", (self.label,)).fetchone()[0]

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None
