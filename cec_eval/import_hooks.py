"""Run a function on a module right after it is first imported (a post-import hook).

Used by the start-up hooks (:mod:`cec_eval.evaluate_hook`, :mod:`cec_eval.lm_eval_hook`) so that
an installed package can extend evaluate / lm-eval without importing them at interpreter start:
the hook costs one entry in ``sys.meta_path`` and imports nothing heavy.
"""
from __future__ import annotations

import sys


class PostImportHook:
    """A ``sys.meta_path`` finder that finds nothing itself: it wraps the real loader of module
    ``name`` so that each of ``patches`` runs on the module once its code has executed. A plain
    class: importing importlib.abc would cost ~10 ms at every interpreter start."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.patches: list = []

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        for finder in sys.meta_path:
            if isinstance(finder, PostImportHook) or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        real_exec = loader.exec_module
        patches = list(self.patches)

        def exec_module(module):
            real_exec(module)
            for patch in patches:
                patch(module)

        loader.exec_module = exec_module
        return spec


def when_imported(name: str, patch) -> None:
    """Call ``patch(module)`` now if ``name`` is imported, else right after its first import.
    Idempotent per (name, patch): ``patch`` itself must tolerate being applied twice."""
    if name in sys.modules:
        patch(sys.modules[name])
        return
    hook = next((f for f in sys.meta_path if isinstance(f, PostImportHook) and f.name == name), None)
    if hook is None:
        hook = PostImportHook(name)
        sys.meta_path.insert(0, hook)
    if patch not in hook.patches:
        hook.patches.append(patch)
