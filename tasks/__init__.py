"""lm-evaluation-harness task pack (installed as ``cec_eval.tasks``).

Tasks: ``climate_fever_cec``, ``gsm8k_causal``, ``gpqa_causal_{diamond,main,extended}``,
``ecare_causal_{ll,gen}`` (tag ``cec_eval`` runs them all). Installing the package makes lm-eval find them with no flag (a
start-up hook, see :mod:`cec_eval.lm_eval_hook`)::

    lm_eval --model hf --model_args pretrained=... --tasks climate_fever_cec ...
    lm_eval.simple_evaluate(model=..., tasks=["climate_fever_cec"])      # a bare TaskManager() too

Where the hook is not active (``python -S``, or lm-eval used from another environment), point
lm-eval at this folder: ``lm_eval --include_path "$(cec-eval tasks-path)" ...`` or
:func:`task_manager`. See docs/tasks.md. Importing this package is cheap; lm-eval is imported by
the filter modules only.
"""
from __future__ import annotations

from pathlib import Path

TASKS = ("climate_fever_cec", "gsm8k_causal", "gpqa_causal_diamond", "gpqa_causal_main", "gpqa_causal_extended",
         "ecare_causal_ll", "ecare_causal_gen")
#: Tasks whose rows must never reach disk in plain text (GPQA's terms of use).
PRIVATE_TASKS = tuple(t for t in TASKS if t.startswith("gpqa"))


def include_path() -> str:
    """The folder holding the task YAML files (absolute, independent of the working directory)."""
    return str(Path(__file__).resolve().parent)


def task_manager(**kwargs):
    """An lm-eval ``TaskManager`` that knows the cec_eval tasks, hook or not.
    ``include_defaults=False`` skips indexing lm-eval's own ~15k task names (seconds) when only
    these tasks are needed."""
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=include_path(), **kwargs)
