"""Running checkpoints × tasks through lm-eval's Python API (one loaded model per checkpoint),
writing each finished entry to the cache, then the table and plots."""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ..errors import InputError
from .cache import PRIVATE_TASK_PREFIXES, _jsonable, _redact, _write_entry, cache_key, entry_dir
from .checkpoints import DEFAULT_TASKS, Checkpoint, pair_checkpoints
from .plots import plot
from .scores import per_sample_scores, private_samples
from .tables import TABLE_METRICS, Leaderboard, build_table

log = logging.getLogger("cec_eval.leaderboard")

# Counts lm-eval evaluations in this process (tests use it as timing-free evidence of cache reuse).
EVALUATIONS = {"simple_evaluate": 0, "model_loads": 0}


# -- running ---------------------------------------------------------------------------------------
@dataclass
class EvalConfig:
    """Evaluation settings shared by all checkpoints (all part of the cache key)."""

    limit: int | float | None = None
    gen_kwargs: dict[str, Any] | None = None
    apply_chat_template: bool = True
    num_fewshot: int | None = None
    system_instruction: str | None = None
    metadata: dict[str, Any] | None = None
    batch_size: int | str | None = None
    device: str | None = None
    #: torch CPU threads for local backends (None: torch's default). On a shared, busy CPU one
    #: thread is often many times faster than oversubscribed OpenMP threads.
    threads: int | None = None
    #: keep GPQA's questions, options and answers in samples.jsonl (default: stripped, see
    #: :func:`private_samples`); keyed apart from the default (see :func:`cache_key`)
    gpqa_plaintext: bool = False

    def key_part(self) -> dict[str, Any]:
        # batch size and device do not change greedy outputs in principle; kept out so a bigger
        # machine reuses results (documented in docs/leaderboard.md).
        return {
            "gen_kwargs": self.gen_kwargs,
            "apply_chat_template": self.apply_chat_template,
            "num_fewshot": self.num_fewshot,
            "system_instruction": self.system_instruction,
            "metadata": self.metadata,
        }


def _default_device() -> str:
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def load_model(checkpoint: Checkpoint, config: EvalConfig):
    """One lm-eval ``LM`` for a checkpoint (any registered backend)."""
    from lm_eval.api.registry import get_model

    args = dict(checkpoint.model_args)
    if checkpoint.model == "hf":
        args.setdefault("dtype", "float32" if (config.device or _default_device()) == "cpu" else "auto")
        for key in ("pretrained", "peft"):
            v = args.get(key)
            # a hub id ("org/name") is left to transformers; an explicit path is checked here
            if isinstance(v, str) and v.startswith(("/", "./", "../", "~")) and not os.path.exists(os.path.expanduser(v)):
                raise InputError(f"checkpoint {checkpoint.name!r}: {key}={v!r} does not exist")
    try:
        cls = get_model(checkpoint.model)
    except (KeyError, ValueError) as e:
        raise InputError(f"checkpoint {checkpoint.name!r}: unknown lm-eval model backend {checkpoint.model!r} ({e})") from None
    extra = {"batch_size": config.batch_size or 1, "device": config.device or _default_device()}
    EVALUATIONS["model_loads"] += 1
    return cls.create_from_arg_obj(args, extra)


def evaluate_checkpoint(
    checkpoint: Checkpoint,
    tasks: Sequence[str],
    config: EvalConfig,
    output_dir: Path,
    force: bool = False,
    evaluate: Callable | None = None,
) -> dict[str, dict[str, Any]]:
    """Runs the tasks of one checkpoint that are not cached; returns ``{task: {"key", "dir",
    "cached"} | {"error"}}``. The model is loaded once, on the first task that needs it."""
    from ..tasks import task_manager

    status: dict[str, dict[str, Any]] = {}
    todo = []
    for task in tasks:
        key, inputs = cache_key(checkpoint, task, config.limit, config.key_part(), config.gpqa_plaintext)
        d = entry_dir(output_dir, task, key)
        if (d / "meta.json").is_file() and not force:
            status[task] = {"key": key, "dir": str(d), "cached": True}
        else:
            if force and d.exists():
                shutil.rmtree(d)
            todo.append((task, key, inputs, d))
    if not todo:
        return status
    try:
        lm = load_model(checkpoint, config)
    except Exception as e:  # noqa: BLE001 - reported per task, the other checkpoints go on
        msg = _error_text(e)
        for task, key, _, _ in todo:
            status[task] = {"key": key, "error": msg}
        return status
    if evaluate is None:
        from lm_eval import simple_evaluate as evaluate
    tm = task_manager()
    for task, key, inputs, d in todo:
        try:
            EVALUATIONS["simple_evaluate"] += 1
            res = evaluate(
                model=lm,
                tasks=[task],
                limit=config.limit,
                num_fewshot=config.num_fewshot,
                gen_kwargs=config.gen_kwargs,
                apply_chat_template=config.apply_chat_template,
                system_instruction=config.system_instruction,
                metadata=config.metadata,
                task_manager=tm,
                log_samples=True,
            )
            samples = res.get("samples", {}).get(task, [])
            keep = {k: res[k] for k in ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config") if k in res}
            keep = _redact(_jsonable(keep))
            keep["environment_fingerprint"] = inputs["environment"]
            meta = {"checkpoint": checkpoint.to_dict(), "task": task, "key": key, "key_inputs": _redact(_jsonable(inputs))}
            scores = per_sample_scores(samples)
            if task.startswith(PRIVATE_TASK_PREFIXES) and not config.gpqa_plaintext:
                samples = private_samples(samples, scores)
            _write_entry(d, {"results.json": keep, "samples.jsonl": _jsonable(samples), "scores.json": scores, "meta.json": meta})
            status[task] = {"key": key, "dir": str(d), "cached": False}
        except Exception as e:  # noqa: BLE001
            status[task] = {"key": key, "error": _error_text(e)}
    del lm
    return status


def _error_text(e: BaseException) -> str:
    text = f"{type(e).__name__}: {e}".strip()
    text = re.sub(r"((?:api_)?(?:key|token|secret|password)\w*\s*[=:]\s*)\S+", r"\1<redacted>", text, flags=re.I)
    return text.splitlines()[0][:500] if text else type(e).__name__


# -- the whole job ---------------------------------------------------------------------------------
def _atomic_write(path: Path, text: str) -> None:
    from ..io import atomic_write_text  # a unique temp file per writer: two runs never tear a table

    atomic_write_text(path, text)


def run_leaderboard(
    checkpoints: Sequence[Checkpoint],
    tasks: Sequence[str] = DEFAULT_TASKS,
    output_dir: str | os.PathLike = "leaderboard",
    config: EvalConfig | None = None,
    base: str | None = None,
    metrics: Sequence[str] = TABLE_METRICS,
    force: bool = False,
    plots: bool = True,
    evaluate: Callable | None = None,
    stderr=None,
) -> Leaderboard:
    """Evaluates every checkpoint × task not yet cached, then writes the table and plots.
    A checkpoint that fails is reported (table, ``errors.json``, stderr) while the others complete."""
    from ..tasks import TASKS

    stderr = stderr or sys.stderr
    config = config or EvalConfig()
    tasks = list(tasks)
    if not tasks:
        raise InputError("no tasks given")
    for t in tasks:
        if t not in TASKS:
            raise InputError(f"task {t!r} is not one of {list(TASKS)}")
    bad = [m for m in metrics if not re.fullmatch(r"\w+", m)]
    if bad:
        raise InputError(f"--metrics: not metric names: {bad}")
    checkpoints = pair_checkpoints(list(checkpoints), base)
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    private = [t for t in tasks if t.startswith(PRIVATE_TASK_PREFIXES)]
    if private and not config.gpqa_plaintext:
        from ..commands.lm_eval import GPQA_WHY

        print(f"cec-eval leaderboard: {', '.join(private)} samples are stored without questions, options or answers "
              f"because {GPQA_WHY} (--allow-gpqa-plaintext keeps them)", file=stderr)
    status: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None
    from ..runtime import offline_env, torch_threads

    it = tqdm(checkpoints, desc="checkpoints", unit="ckpt", file=stderr) if tqdm else checkpoints
    # offline switches and torch's thread count for the evaluations only: restored afterwards
    with offline_env(), torch_threads(config.threads):
        for cp in it:
            try:
                status[cp.name] = evaluate_checkpoint(cp, tasks, config, out, force=force, evaluate=evaluate)
            except Exception as e:  # noqa: BLE001 - never lose the other checkpoints
                log.debug("checkpoint %s failed:\n%s", cp.name, traceback.format_exc())
                status[cp.name] = {t: {"error": _error_text(e)} for t in tasks}
            for task, st in status[cp.name].items():
                if "error" in st:
                    print(f"cec-eval leaderboard: checkpoint {cp.name!r} task {task!r} failed: {st['error']}", file=stderr)
    board = build_table(checkpoints, tasks, status, metrics)
    board.output_dir = out
    _atomic_write(out / "leaderboard.json", json.dumps(board.to_dict() | {"status": status}, indent=2, default=str))
    _atomic_write(out / "leaderboard.md", board.markdown())
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows(board.csv_rows())
    _atomic_write(out / "leaderboard.csv", buf.getvalue())
    _atomic_write(out / "errors.json", json.dumps(board.errors, indent=2))
    board.files = {k: str(out / f"leaderboard.{k}") for k in ("md", "csv", "json")}
    if plots and board.columns:
        for p in plot(board, out / "plots"):
            board.files[f"plot:{p.stem}"] = str(p)
    return board
