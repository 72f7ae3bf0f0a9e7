"""The environment is the lock (issue #11): setup.cfg's ranges admit every locked version, every
requirement is locked, and what is installed is exactly what the lock pins."""
from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from cec_eval.fingerprint import canonical_name, environment_fingerprint, fingerprint, installed_pins, lock_pins

ROOT = Path(__file__).resolve().parents[1]
LOCKS = [ROOT / "requirements" / f for f in ("lock.txt", "models.txt", "tools.txt")]


def _setup_cfg_requirements() -> list[Requirement]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = cfg["options"]["install_requires"].splitlines()
    for name, value in cfg["options.extras_require"].items():
        if name != "all":  # 'all' is the union of the others, by interpolation
            lines += value.splitlines()
    return [Requirement(x.strip()) for x in lines if x.strip() and not x.strip().startswith("#")]


def test_lock_satisfies_setup_cfg():
    pins = lock_pins(LOCKS[:1])
    problems = []
    for req in _setup_cfg_requirements():
        name = canonical_name(req.name)
        if name not in pins:
            problems.append(f"{req} is not in requirements/lock.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req} excludes the locked {name}=={pins[name]}")
    assert not problems, "lock and setup.cfg disagree (run 'make lock'):\n" + "\n".join(problems)


def test_every_lock_line_has_a_hash():
    for path in LOCKS:
        text = path.read_text(encoding="utf-8")
        for block in text.split("\n"):
            if block and not block.startswith((" ", "#")):
                assert block.endswith("\\"), f"{path.name}: {block!r} has no --hash"


def test_installed_is_exactly_the_lock():
    locked, installed = lock_pins(LOCKS), installed_pins()
    missing = {n: v for n, v in locked.items() if installed.get(n) != v}
    extra = {n: v for n, v in installed.items() if n not in locked}
    assert not missing and not extra, f"not as locked: {missing}; not in the lock: {extra} (run 'make install')"
    assert environment_fingerprint() == fingerprint(locked)


def test_fingerprint_moves_with_any_pin():
    base = {"numpy": "2.4.6", "torch": "2.13.0+cpu"}
    assert fingerprint(base, "3.11.7") == fingerprint({"NumPy": "2.4.6", "torch": "2.13.0+cpu"}, "3.11.7")
    assert fingerprint(base, "3.11.7") != fingerprint({**base, "numpy": "2.4.5"}, "3.11.7")
    assert fingerprint(base, "3.11.7") != fingerprint(base, "3.11.8")
    assert fingerprint({**base, "cec-eval": "9"}, "3.11.7") == fingerprint(base, "3.11.7")  # own version is in signatures


def test_conflicting_pins_are_refused(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("numpy==2.0 \\\n    --hash=sha256:00\n")
    b.write_text("numpy==2.1\n")
    with pytest.raises(ValueError, match="b.txt: numpy pinned to both 2.0 and 2.1"):
        lock_pins([a, b])
