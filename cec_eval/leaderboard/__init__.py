"""Leaderboard: base vs fine-tuned (Claire) checkpoints on the task pack, side by side.

For every checkpoint × task it runs lm-eval through its Python API (one loaded model per
checkpoint, reused across its tasks), keeps lm-eval's raw results JSON and per-sample JSONL, and
caches them under a key that hashes everything that changes the numbers (model spec and a
fingerprint of local weight files, task, limit, generation config, package versions and the
environment fingerprint of :mod:`cec_eval.fingerprint`). A finished
(checkpoint, task) is written to a temporary folder and renamed into place, so a crash loses
nothing finished and a re-run with one more checkpoint evaluates only that one.

The table has one row per checkpoint and, per task, CEC (sym), exact match / accuracy per filter,
judged accuracy (when a judge is configured) and format compliance; each fine-tuned checkpoint
gets its delta against its base and a paired test on per-sample scores matched by ``doc_id``
(Wilcoxon signed-rank from :mod:`cec_eval.stats`, see :func:`paired_significance`). Bar plots
as in seed 002 §4.5/§4.7.

Layout of ``output_dir``::

    results/<task>/<key>/results.json   lm-eval's results (configs stored by name)
    results/<task>/<key>/samples.jsonl  lm-eval's logged samples, one per (doc, filter)
    results/<task>/<key>/scores.json    per-sample scores by filter/metric/doc_id (CEC re-scored per item)
    results/<task>/<key>/meta.json      checkpoint name, spec (secrets redacted), key inputs
    leaderboard.{md,csv,json}, errors.json, plots/*.png

Modules, by what each part does::

    checkpoints.py  Checkpoint, NAME=SPEC parsing, config files, base pairing
    run.py          EvalConfig, loading a model, evaluate_checkpoint, run_leaderboard (the whole job)
    cache.py        cache keys, atomic entry folders, redaction
    scores.py       per-sample scores from logged samples; private (GPQA) samples
    tables.py       columns, paired significance, Leaderboard (md/csv/json), build_table
    plots.py        bar plots

Everything is re-exported here: ``from cec_eval import leaderboard as lb; lb.run_leaderboard(...)``.
"""
from __future__ import annotations

from .cache import PRIVATE_TASK_PREFIXES, _redact, _write_entry, cache_key, entry_dir, environment_fingerprint
from .checkpoints import DEFAULT_TASKS, Checkpoint, load_config, pair_checkpoints, parse_checkpoint, parse_model_args
from .plots import plot
from .run import EVALUATIONS, EvalConfig, _error_text, evaluate_checkpoint, load_model, run_leaderboard
from .scores import CEC_KINDS, per_sample_scores, private_samples
from .tables import TABLE_METRICS, Leaderboard, build_table, columns_for, paired_significance

# _redact, _error_text, _write_entry: used by tests/test_leaderboard.py
__all__ = [
    "CEC_KINDS", "DEFAULT_TASKS", "EVALUATIONS", "PRIVATE_TASK_PREFIXES", "TABLE_METRICS", "Checkpoint", "EvalConfig",
    "Leaderboard", "build_table", "cache_key", "columns_for", "entry_dir", "environment_fingerprint",
    "evaluate_checkpoint", "load_config", "load_model", "pair_checkpoints", "paired_significance", "parse_checkpoint",
    "parse_model_args", "per_sample_scores", "plot", "private_samples", "run_leaderboard",
]
