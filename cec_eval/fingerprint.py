"""A short fingerprint of the Python environment, so a run in a changed environment is never
mistaken for the same run (leaderboard cache keys, lm-eval results written by cec-eval).

The fingerprint is the first 12 hex digits of the SHA-256 of the sorted, normalised ``name==version``
pins of every installed distribution (the project itself excluded: its version travels in every
signature) plus the Python ``major.minor.micro``. Installed from the lock (``make install``), it is
exactly the fingerprint of the lock's pins (``requirements/*.txt``), which
``tests/test_lock.py`` checks: ``python -m cec_eval.fingerprint requirements/lock.txt ...`` prints
the lock's, and ``python -m cec_eval.fingerprint`` the running environment's.
"""
from __future__ import annotations

import functools
import hashlib
import re
import sys
from pathlib import Path
from typing import Iterable, Mapping

PROJECT = "cec-eval"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def canonical_name(name: str) -> str:
    """PEP 503 normalised distribution name (``Sentence_Transformers`` -> ``sentence-transformers``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def fingerprint(pins: Mapping[str, str], python: str | None = None) -> str:
    """12-hex fingerprint of ``{distribution: version}`` plus the Python version (default: this one)."""
    python = python or ".".join(map(str, sys.version_info[:3]))
    lines = sorted(f"{canonical_name(n)}=={v}" for n, v in pins.items() if canonical_name(n) != PROJECT)
    text = "\n".join([f"python=={python}", *lines])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def installed_pins() -> dict[str, str]:
    """``{canonical name: version}`` of every distribution importable in this interpreter."""
    from importlib.metadata import distributions

    pins: dict[str, str] = {}
    for dist in distributions():
        name = dist.metadata["Name"]
        if name:
            pins.setdefault(canonical_name(name), dist.version)  # first on sys.path wins, as for imports
    pins.pop(PROJECT, None)
    return pins


def lock_pins(paths: Iterable[str | Path]) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of requirements/lock files.

    Raises ``ValueError`` naming the file when a name is pinned twice to different versions."""
    pins: dict[str, str] = {}
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            match = _PIN.match(line.strip())
            if not match:
                continue
            name, version = canonical_name(match.group(1)), match.group(2)
            if pins.get(name, version) != version:
                raise ValueError(f"{path}: {name} pinned to both {pins[name]} and {version}")
            pins[name] = version
    return pins


@functools.lru_cache(maxsize=1)
def environment_fingerprint() -> str:
    """The running environment's fingerprint (computed once per process)."""
    return fingerprint(installed_pins())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print(fingerprint(lock_pins(argv)) if argv else environment_fingerprint())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
