"""cec-eval: Causal Explanation Coherence (CEC) and the tools around it.

``import cec_eval`` is cheap; torch and sentence-transformers load on first use.

>>> import cec_eval
>>> cec_eval.__version__
'0.1.0'
"""
from __future__ import annotations

from typing import Any

from .version import __version__

__all__ = ["__version__", "CECScorer", "CECResult", "score", "get_scorer"]

_LAZY = {
    "CECScorer": "cec_eval.scorer",
    "CECResult": "cec_eval.scorer",
    "score": "cec_eval.scorer",
    "get_scorer": "cec_eval.scorer",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cec_eval' has no attribute {name!r}")


def _install_evaluate_hook() -> None:
    # Also done by the .pth file at start-up; repeated here for editable installs.
    from . import evaluate_hook

    evaluate_hook.install()


_install_evaluate_hook()
