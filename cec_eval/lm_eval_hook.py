"""Make the installed task pack visible to lm-eval with no flag.

lm-eval 0.4.x (0.4.13 checked) finds tasks only in its own folder and in ``include_path``; it has
no entry-point group for external task packs (upstream issue #3282). A ``.pth`` file installed
beside the package (written by setup.py, for wheel and editable installs) calls :func:`install` at
interpreter start-up; it adds a post-import hook that, once ``lm_eval.tasks.manager`` is imported,
wraps ``TaskManager.__init__`` so that, whenever lm-eval's own tasks are included
(``include_defaults=True``, the default), the pack's folder is indexed right after them and before
the caller's ``include_path``. Hence ``lm_eval --tasks climate_fever_cec``, ``lm-eval ls tasks``,
``simple_evaluate(tasks=[...])`` and a bare ``TaskManager()`` all find the pack, and a user's own
``--include_path`` still wins on a name clash (lm-eval lets later paths override earlier ones).

Nothing else changes: ``TaskManager.include_path`` still holds what the caller passed,
``include_defaults=False`` means exactly the caller's paths, and a caller who already passes the
pack's folder gets it once.

The same hook gives the pack's CEC and lexical metrics a standard error in lm-eval's table:
``stderr_for_metric`` is wrapped to use an aggregation's own seeded bootstrap when it carries one
(:func:`_patch_stderr`); lm-eval's own metrics get lm-eval's function, unchanged.

It also registers the project's model ``hf-budget`` (s1 budget forcing,
:mod:`cec_eval.tasks.budget_forcing`) by name only, so ``lm_eval --model hf-budget`` works and
nothing heavy is imported until that model is used (:func:`_register_models`).
"""
from __future__ import annotations

import functools
import os

_TARGET = "lm_eval.tasks.manager"
#: modules holding a reference to lm-eval's ``stderr_for_metric`` (evaluator_utils imports it by name)
_STDERR_HOLDERS = ("lm_eval.api.metrics", "lm_eval.evaluator_utils")


def _pack_path() -> str:
    from cec_eval.tasks import include_path

    return include_path()


def _same(a, b) -> bool:
    try:
        return os.path.realpath(os.fspath(a)) == os.path.realpath(os.fspath(b))
    except TypeError:
        return False


def with_pack(include_path):
    """The include path lm-eval should index: ``[pack, *include_path]``, or ``include_path``
    unchanged when it already names the pack's folder. ``include_path`` is a path, a list of paths
    or None, as ``TaskManager`` takes it."""
    user = [] if include_path is None else list(include_path) if isinstance(include_path, (list, tuple)) else [include_path]
    pack = _pack_path()
    if any(_same(p, pack) for p in user):
        return include_path
    return [pack, *user]


def _patch(manager) -> None:
    import inspect

    cls = manager.TaskManager
    original = cls.__init__
    if getattr(original, "__cec_eval__", False):
        return
    signature = inspect.signature(original)
    if "include_path" not in signature.parameters:  # an lm-eval this hook does not know: leave it alone
        return

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        asked = bound.arguments["include_path"]
        if bound.arguments.get("include_defaults", True):
            bound.arguments["include_path"] = with_pack(asked)
        original(*bound.args, **bound.kwargs)
        if getattr(self, "include_path", None) is not asked:
            self.include_path = asked

    __init__.__cec_eval__ = True
    cls.__init__ = __init__


def _patch_stderr(module) -> None:
    """lm-eval's ``stderr_for_metric`` knows only its own aggregation functions (an identity check
    against a fixed list) and has no registry. Wrapped so that an aggregation carrying its own
    ``stderr(items, iters)`` (the task pack's, see cec_eval.tasks.metrics) gets it, with lm-eval's
    ``bootstrap_iters``; every other metric goes to lm-eval's function unchanged."""
    original = getattr(module, "stderr_for_metric", None)
    if original is None or getattr(original, "__cec_eval__", False):
        return

    @functools.wraps(original)
    def stderr_for_metric(metric, bootstrap_iters):
        own = getattr(metric, "stderr", None)
        if callable(own) and getattr(metric, "per_item", None) is not None:
            if bootstrap_iters <= 0:  # as lm-eval: no stderr when bootstrapping is off
                return None
            return functools.partial(own, iters=bootstrap_iters)
        return original(metric, bootstrap_iters)

    stderr_for_metric.__cec_eval__ = True
    module.stderr_for_metric = stderr_for_metric


def _register_models(module) -> None:
    """Register ``hf-budget`` lazily (a ``module:Class`` target, imported on first use)."""
    from lm_eval.api.registry import model_registry

    if "hf-budget" not in model_registry:
        model_registry.register("hf-budget", target="cec_eval.tasks.budget_forcing:BudgetForcingLM")


def install() -> None:
    """Idempotent: patch now if lm-eval's task manager (and metrics) are already imported, else
    when they are."""
    from .import_hooks import when_imported

    when_imported(_TARGET, _patch)
    when_imported("lm_eval.models", _register_models)
    for name in _STDERR_HOLDERS:
        when_imported(name, _patch_stderr)
