"""Make ``evaluate.load("cec")`` resolve, offline, to the module shipped in this package.

evaluate 0.4.x resolves a bare name only from ``./cec/cec.py`` or by asking the Hugging Face hub
(falling back to its module cache), so an installed package has no way to register a metric by
name. A ``.pth`` file installed beside the package (written by setup.py, for wheel and editable
installs) calls :func:`install` at interpreter start-up; it adds a post-import hook that, once
``evaluate.loading`` is imported, routes the bare names in :data:`BUNDLED` to their shipped script. Nothing else in evaluate changes: every other name, and a
local ``./cec/cec.py`` (which evaluate checks first), load exactly as before. The hook costs one
entry in ``sys.meta_path`` and imports nothing heavy.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

MODULES_DIR = Path(__file__).with_name("evaluate_modules")
#: bare name -> shipped evaluate module script
BUNDLED = {"cec": MODULES_DIR / "cec" / "cec.py"}
_TARGET = "evaluate.loading"


def module_path(name: str = "cec") -> str:
    """Path of a shipped evaluate module: ``evaluate.load(module_path("cec"))`` always works."""
    return str(BUNDLED[name])


def _patch(loading) -> None:
    original = loading.evaluation_module_factory
    if getattr(original, "__cec_eval__", False):
        return

    @functools.wraps(original)
    def evaluation_module_factory(path, *args, **kwargs):
        local = os.path.join(path, f"{path}.py") if isinstance(path, str) else None
        if isinstance(path, str) and path in BUNDLED and not os.path.isfile(local):
            path = str(BUNDLED[path])
        return original(path, *args, **kwargs)

    evaluation_module_factory.__cec_eval__ = True
    loading.evaluation_module_factory = evaluation_module_factory


def install() -> None:
    """Idempotent: patch now if evaluate is already imported, else when it is."""
    from .import_hooks import when_imported

    when_imported(_TARGET, _patch)
