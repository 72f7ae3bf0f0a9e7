"""lm-evaluation-harness task pack (installed as ``cec_eval.tasks``).

Tasks: ``climate_fever_cec``, ``gsm8k_causal``, ``gpqa_causal_{diamond,main,extended}`` (tag
``cec_eval`` runs them all). lm-eval 0.4 has no entry point for external tasks, so point it at
this folder::

    lm_eval --include_path "$(cec-eval tasks-path)" --tasks climate_fever_cec ...
    cec-eval lm-eval run --tasks climate_fever_cec ...      # same, include path pre-set

or in Python ``TaskManager(include_path=cec_eval.tasks.include_path())``. See docs/tasks.md.
Importing this package is cheap; lm-eval is imported by the filter modules only.
"""
from __future__ import annotations

from pathlib import Path

TASKS = ("climate_fever_cec", "gsm8k_causal", "gpqa_causal_diamond", "gpqa_causal_main", "gpqa_causal_extended")


def include_path() -> str:
    """The folder holding the task YAML files (absolute, independent of the working directory)."""
    return str(Path(__file__).resolve().parent)


def task_manager(**kwargs):
    """An lm-eval ``TaskManager`` that knows the cec_eval tasks. ``include_defaults=False`` skips
    indexing lm-eval's own few thousand task files (seconds) when only these tasks are needed."""
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=include_path(), **kwargs)
