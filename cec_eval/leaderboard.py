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
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from .errors import InputError
from .version import __version__

log = logging.getLogger(__name__)

DEFAULT_TASKS = ("climate_fever_cec", "gsm8k_causal", "gpqa_causal_diamond")
#: Metrics shown in the table (per filter); lexical metrics stay in the raw files.
TABLE_METRICS = ("cec_sym", "exact_match", "acc", "judged_acc", "format_compliance")
CEC_KINDS = {"cec_sym": "sym", "cec_forward": "forward", "cec_backward": "backward"}
#: model_args that may carry secrets: never written, never hashed.
_SECRET = re.compile(r"(key|token|secret|password|auth)", re.I)
#: Environment that changes task outputs (the judge); secrets stay out (only the *name* of the key variable).
_JUDGE_ENV = ("CEC_JUDGE_MODEL", "CEC_JUDGE_BASE_URL", "CEC_JUDGE_HF_MODEL", "CEC_JUDGE_API_KEY_ENV")
#: Tasks whose rows must never reach disk in plain text (GPQA's terms): their logged samples keep
#: ids, hashes, responses and numeric scores only.
PRIVATE_TASK_PREFIXES = ("gpqa",)
# Counts lm-eval evaluations in this process (tests use it as timing-free evidence of cache reuse).
EVALUATIONS = {"simple_evaluate": 0, "model_loads": 0}


# -- checkpoints -----------------------------------------------------------------------------------
@dataclass
class Checkpoint:
    """One model under test: an lm-eval backend and its model_args, optionally paired with a base."""

    name: str
    model: str = "hf"
    model_args: dict[str, Any] = field(default_factory=dict)
    base: str | None = None

    def public_args(self) -> dict[str, Any]:
        """model_args with secret-looking values redacted (for files, tables and logs)."""
        return {k: ("<redacted>" if _SECRET.search(k) else v) for k, v in self.model_args.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "model": self.model, "model_args": self.public_args(), "base": self.base}


def _coerce(value: str) -> Any:
    """lm-eval style scalar: ints, floats, booleans stay typed; everything else is a string."""
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def parse_model_args(text: str, where: str = "model_args") -> dict[str, Any]:
    """``"pretrained=/m,peft=/a"`` → dict; a bare path means ``pretrained=<path>``."""
    text = text.strip()
    if not text:
        raise InputError(f"{where}: empty")
    if "=" not in text:
        return {"pretrained": text}
    out: dict[str, Any] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError(f"{where}: {part!r} is not key=value (in {text!r})")
        k, v = part.split("=", 1)
        out[k.strip()] = _coerce(v.strip())
    return out


def parse_checkpoint(text: str) -> Checkpoint:
    """CLI form ``NAME=SPEC`` with SPEC ``[backend:]model_args`` (backend defaults to ``hf``), e.g.
    ``base=/models/smol``, ``claire=hf:pretrained=/models/smol,peft=/runs/adapter``,
    ``q4=pretrained=/m,gguf_file=m.gguf``, ``served=local-chat-completions:model=x,base_url=http://...``."""
    if "=" not in text:
        raise InputError(f"--checkpoint {text!r}: expected NAME=SPEC")
    name, spec = text.split("=", 1)
    name = name.strip()
    _check_name(name, f"--checkpoint {text!r}")
    model = "hf"
    m = re.match(r"^([A-Za-z][\w.-]*):(?!//)(.*)$", spec.strip())
    if m and "=" in m.group(2) and "=" not in m.group(1):
        model, spec = m.group(1), m.group(2)
    return Checkpoint(name=name, model=model, model_args=parse_model_args(spec, f"--checkpoint {name}"))


def _check_name(name: str, where: str) -> None:
    if not name or not re.fullmatch(r"[\w.+-]+", name):
        raise InputError(f"{where}: checkpoint name {name!r} must be letters, digits, '_', '-', '.', '+'")


def load_config(path: str | os.PathLike) -> dict[str, Any]:
    """A YAML/JSON file: ``{checkpoints: [{name, model?, model_args (dict or string), base?}], tasks?,
    limit?, base?}`` or just the list of checkpoints. Returns ``{"checkpoints": [...], ...}``."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"--config {path}: no such file")
    text = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - the parser's message says where
        raise InputError(f"--config {path}: cannot parse: {e}") from None
    if isinstance(data, list):
        data = {"checkpoints": data}
    if not isinstance(data, dict) or not isinstance(data.get("checkpoints"), list):
        raise InputError(f"--config {path}: expected a list of checkpoints or a mapping with 'checkpoints:'")
    cps = []
    for i, row in enumerate(data["checkpoints"]):
        where = f"--config {path}: checkpoints[{i}]"
        if not isinstance(row, dict) or "name" not in row:
            raise InputError(f"{where}: needs a mapping with 'name'")
        unknown = set(row) - {"name", "model", "model_args", "base"}
        if unknown:
            raise InputError(f"{where}: unknown field(s) {sorted(unknown)}")
        _check_name(str(row["name"]), where)
        args = row.get("model_args", {})
        if isinstance(args, str):
            args = parse_model_args(args, f"{where}.model_args")
        if not isinstance(args, dict) or not args:
            raise InputError(f"{where}.model_args: expected a non-empty mapping or 'k=v,...' string")
        cps.append(Checkpoint(str(row["name"]), str(row.get("model", "hf")), dict(args), row.get("base")))
    out = dict(data)
    out["checkpoints"] = cps
    return out


def pair_checkpoints(checkpoints: Sequence[Checkpoint], base: str | None = None) -> list[Checkpoint]:
    """Sets each checkpoint's base: its own ``base`` field, else ``base`` (default: the first
    checkpoint). A base never has a base itself. Raises on duplicate or unknown names."""
    names = [c.name for c in checkpoints]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"checkpoint names must be unique: {dupes}")
    if not checkpoints:
        raise InputError("no checkpoints given (use --checkpoint NAME=SPEC or --config FILE)")
    default = base if base is not None else checkpoints[0].name
    if default not in names:
        raise InputError(f"--base {default!r}: no checkpoint of that name (have {names})")
    for c in checkpoints:
        if c.base is not None and c.base not in names:
            raise InputError(f"checkpoint {c.name!r}: base {c.base!r} is not a checkpoint (have {names})")
    bases = {c.base for c in checkpoints if c.base} | {default}
    for c in checkpoints:
        if c.name in bases:
            c.base = None
        elif c.base is None:
            c.base = default
    return list(checkpoints)


# -- cache keys ------------------------------------------------------------------------------------
def _fingerprint_path(value: Any) -> Any:
    """(name, size, mtime) of the files in a local model/adapter folder, so retraining into the same
    folder invalidates the cache; non-paths pass through."""
    if not isinstance(value, str) or not os.path.exists(value):
        return None
    p = Path(value)
    files = [p] if p.is_file() else sorted(f for f in p.iterdir() if f.is_file())
    return [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files]


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"cec_eval": __version__}
    for pkg in ("lm_eval", "transformers", "peft"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "none"
    return out


def environment_fingerprint() -> str | None:
    """:func:`cec_eval.fingerprint.environment_fingerprint` (installed distributions + Python), or
    None where that module is missing (an older checkout)."""
    try:
        from .fingerprint import environment_fingerprint as fp
    except ImportError:
        return None
    return fp()


def cache_key(
    checkpoint: Checkpoint, task: str, limit: int | float | None, eval_config: dict[str, Any], gpqa_plaintext: bool = False
) -> tuple[str, dict]:
    """sha256 (first 16 hex) of everything that changes a (checkpoint, task) result, the
    environment's fingerprint included; the name of the checkpoint is not part of it, so renaming
    reuses results. ``gpqa_plaintext`` (GPQA samples kept in plain text) keys separately, so an
    opted-in run never reuses, or leaves behind as the default, the other kind of files."""
    args = {k: v for k, v in checkpoint.model_args.items() if not _SECRET.search(k)}
    inputs = {
        "model": checkpoint.model,
        "model_args": args,
        "files": {k: _fingerprint_path(v) for k, v in args.items() if k in ("pretrained", "peft", "delta", "tokenizer")},
        "task": task,
        "limit": limit,
        "eval": eval_config,
        "judge_env": {k: os.environ.get(k) for k in _JUDGE_ENV if os.environ.get(k)},
        "versions": _versions(),
        "environment": environment_fingerprint(),
    }
    if gpqa_plaintext and task.startswith(PRIVATE_TASK_PREFIXES):
        inputs["samples"] = "plaintext"
    blob = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16], inputs


# -- per-sample scores -----------------------------------------------------------------------------
def per_sample_scores(samples: Iterable[dict], cec_model: Any = None) -> dict[str, dict[str, dict[str, float]]]:
    """``{filter: {metric: {doc_id: score}}}`` from lm-eval's logged samples. Numeric metrics are
    taken as logged; the CEC metrics (logged as ``(prediction, references, ...)`` items for one
    corpus-level pass) are scored per item with :func:`cec_eval.get_scorer`, whose mean equals the
    task's aggregated value."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    cec_items: dict[str, list[tuple[str, Any]]] = {}
    for s in samples:
        filt, doc = s.get("filter", "none"), str(s["doc_id"])
        for metric in s.get("metrics", []):
            value = s.get(metric)
            if metric in CEC_KINDS and isinstance(value, (list, tuple)):
                if metric == "cec_sym":  # one item serves all three CEC directions
                    cec_items.setdefault(filt, []).append((doc, value))
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out.setdefault(filt, {}).setdefault(metric, {})[doc] = float(value)
            elif isinstance(value, bool):
                out.setdefault(filt, {}).setdefault(metric, {})[doc] = float(value)
    if cec_items:
        from .tasks.metrics import scorer_for

        for filt, items in cec_items.items():
            options = {it[3] if len(it) > 3 else None for _, it in items}
            scorer = scorer_for(options.pop() if len(options) == 1 else None, model=cec_model)
            res = scorer.score([str(it[0] or "") for _, it in items], [list(it[1]) for _, it in items])
            for metric, kind in CEC_KINDS.items():
                out.setdefault(filt, {})[metric] = {doc: float(v) for (doc, _), v in zip(items, getattr(res, kind))}
    return out


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


def private_samples(samples: Iterable[dict], scores: dict[str, dict[str, dict[str, float]]]) -> list[dict]:
    """Logged samples of a private task (GPQA) without the dataset's text: ``doc``, ``arguments``
    (the prompt) and ``target`` dropped; a metric logged as an item carrying references (CEC) is
    replaced by its per-sample score, or withheld."""
    out = []
    for s in samples:
        row = {k: v for k, v in s.items() if k not in ("doc", "arguments", "target")}
        filt, doc = s.get("filter", "none"), str(s.get("doc_id"))
        for metric in s.get("metrics", []):
            value = row.get(metric)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                row[metric] = scores.get(filt, {}).get(metric, {}).get(doc, "<withheld: private task>")
        out.append(row)
    return out


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def _write_entry(final: Path, files: dict[str, Any]) -> None:
    """Writes all files of one (checkpoint, task) into a temp folder, then renames it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        for name, content in files.items():
            with open(tmp / name, "w", encoding="utf-8") as fh:
                if name.endswith(".jsonl"):
                    for row in content:
                        fh.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
                else:
                    json.dump(content, fh, indent=2, default=str, ensure_ascii=False)
        if final.exists():  # a concurrent writer finished the same key first: same inputs, keep theirs
            shutil.rmtree(tmp)
            return
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def entry_dir(output_dir: Path, task: str, key: str) -> Path:
    return output_dir / "results" / task / key


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
    from .tasks import task_manager

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


def _redact(obj: Any) -> Any:
    """Secret-looking keys anywhere in a JSON tree are replaced (lm-eval echoes model_args)."""
    if isinstance(obj, dict):
        return {k: ("<redacted>" if isinstance(k, str) and _SECRET.search(k) and isinstance(v, str) else _redact(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact(v) for v in obj]
    if isinstance(obj, str):
        return re.sub(r"((?:api_)?(?:key|token|secret|password)\w*=)[^,\s]*", r"\1<redacted>", obj, flags=re.I)
    return obj


def _error_text(e: BaseException) -> str:
    text = f"{type(e).__name__}: {e}".strip()
    text = re.sub(r"((?:api_)?(?:key|token|secret|password)\w*\s*[=:]\s*)\S+", r"\1<redacted>", text, flags=re.I)
    return text.splitlines()[0][:500] if text else type(e).__name__


# -- table -----------------------------------------------------------------------------------------
def _load_entry(d: Path) -> tuple[dict, dict]:
    with open(d / "results.json", encoding="utf-8") as fh:
        results = json.load(fh)
    with open(d / "scores.json", encoding="utf-8") as fh:
        scores = json.load(fh)
    return results, scores


def columns_for(task: str, scores: dict[str, dict[str, dict]], metrics: Sequence[str]) -> list[tuple[str, str]]:
    """(metric, filter) pairs to show for one task, in a stable order."""
    cols = []
    for metric in metrics:
        for filt in sorted(scores):
            if metric in scores[filt] and scores[filt][metric]:
                cols.append((metric, filt))
    return cols


def paired_significance(base: dict[str, float], system: dict[str, float]) -> dict[str, Any]:
    """Delta (system − base) on the doc ids both have, tested with the Wilcoxon signed-rank test
    (:func:`cec_eval.stats.wilcoxon`: scipy, exact for small n; on 0/1 scores it is the sign test).
    The paired t-test p is kept alongside. Not the approximate randomisation of ``stats``: its
    sacrebleu p-value counts only trials *strictly* above the observed difference, so with few
    discrete scores (0/1 accuracy, small --limit) ties never count and p collapses to 1/(N+1)."""
    from .stats import paired_ttest, wilcoxon

    docs = sorted(set(base) & set(system), key=lambda d: (len(d), d))
    out: dict[str, Any] = {"n_paired": len(docs)}
    if not docs:
        return out | {"delta": None, "pvalue": None, "significant": None, "reason": "no doc ids in common"}
    a = [base[d] for d in docs]
    b = [system[d] for d in docs]
    out["delta"] = sum(b) / len(b) - sum(a) / len(a)
    w = wilcoxon(b, a, ("system", "base"))
    t = paired_ttest(b, a, ("system", "base"))
    return out | {
        "pvalue": w.pvalue,
        "significant": w.significant(),
        "test": w.test,
        "reason": w.reason,
        "ttest_pvalue": t.pvalue,
    }


@dataclass
class Leaderboard:
    rows: list[dict[str, Any]]
    columns: list[dict[str, str]]
    errors: list[dict[str, str]]
    output_dir: Path | None = None
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "errors": self.errors, "version": __version__}

    # -- renderers
    def _cells(self, row: dict[str, Any], col: dict[str, str]) -> tuple[str, str]:
        cell = row["cells"].get(col["id"])
        if cell is None:
            err = row["errors"].get(col["task"])
            return ("ERROR" if err else "–"), ""
        value = "–" if cell["value"] is None else f"{cell['value']:.4f}"
        delta = ""
        if cell.get("delta") is not None:
            star = "*" if cell.get("significant") else ""
            p = cell.get("pvalue")
            delta = f"{cell['delta']:+.4f}{star}" + (f" (p={p:.3f})" if p is not None else "")
        return value, delta

    def markdown(self) -> str:
        head = ["checkpoint", "base"]
        for c in self.columns:
            head += [c["id"], "Δ"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            cells = [row["name"], row["base"] or "(base)"]
            for c in self.columns:
                cells += list(self._cells(row, c))
            lines.append("| " + " | ".join(cells) + " |")
        notes = ["", "Δ = checkpoint − its base on the doc ids both have; * = p < 0.05, Wilcoxon signed-rank "
                 "test on per-sample scores matched by doc_id (the sign test on 0/1 scores)."]
        for e in self.errors:
            notes.append(f"- ERROR {e['checkpoint']} / {e['task']}: {e['error']}")
        return "\n".join(lines + notes) + "\n"

    def csv_rows(self) -> list[list[Any]]:
        out = [["checkpoint", "base", "task", "metric", "filter", "value", "n", "delta", "n_paired", "pvalue", "significant", "error"]]
        for row in self.rows:
            for c in self.columns:
                cell = row["cells"].get(c["id"])
                err = row["errors"].get(c["task"], "")
                if cell is None:
                    out.append([row["name"], row["base"] or "", c["task"], c["metric"], c["filter"], "", "", "", "", "", "", err])
                    continue
                out.append([row["name"], row["base"] or "", c["task"], c["metric"], c["filter"], cell["value"], cell["n"],
                            cell.get("delta", ""), cell.get("n_paired", ""), cell.get("pvalue", ""), cell.get("significant", ""), err])
        return out


def build_table(
    checkpoints: Sequence[Checkpoint],
    tasks: Sequence[str],
    status: dict[str, dict[str, dict[str, Any]]],
    metrics: Sequence[str] = TABLE_METRICS,
) -> Leaderboard:
    """Rows from the cached entries named in ``status`` ({checkpoint: {task: {...}}})."""
    scores: dict[tuple[str, str], dict] = {}
    for cp in checkpoints:
        for task in tasks:
            st = status.get(cp.name, {}).get(task, {})
            if "dir" in st:
                scores[(cp.name, task)] = _load_entry(Path(st["dir"]))[1]
    columns: list[dict[str, str]] = []
    for task in tasks:
        seen: list[tuple[str, str]] = []
        for cp in checkpoints:
            for col in columns_for(task, scores.get((cp.name, task), {}), metrics):
                if col not in seen:
                    seen.append(col)
        seen.sort(key=lambda mf: (list(metrics).index(mf[0]), mf[1]))
        columns += [{"id": f"{task}/{m},{f}", "task": task, "metric": m, "filter": f} for m, f in seen]
    rows, errors = [], []
    for cp in checkpoints:
        row: dict[str, Any] = {"name": cp.name, "base": cp.base, "model": cp.model, "model_args": cp.public_args(), "cells": {}, "errors": {}}
        for task in tasks:
            st = status.get(cp.name, {}).get(task, {})
            if "error" in st:
                row["errors"][task] = st["error"]
                errors.append({"checkpoint": cp.name, "task": task, "error": st["error"]})
        for c in columns:
            mine = scores.get((cp.name, c["task"]), {}).get(c["filter"], {}).get(c["metric"])
            if not mine:
                continue
            cell: dict[str, Any] = {"value": sum(mine.values()) / len(mine), "n": len(mine)}
            if cp.base:
                theirs = scores.get((cp.base, c["task"]), {}).get(c["filter"], {}).get(c["metric"])
                if theirs:
                    cell.update(paired_significance(theirs, mine))
                else:
                    cell.update({"delta": None, "reason": f"base {cp.base!r} has no result"})
            row["cells"][c["id"]] = cell
        rows.append(row)
    return Leaderboard(rows=rows, columns=columns, errors=errors)


# -- plots -----------------------------------------------------------------------------------------
def plot(board: Leaderboard, out_dir: Path) -> list[Path]:
    """One PNG per task (a panel per metric column) and ``overview.png``: bars per checkpoint,
    grouped by base (base first, its fine-tuned checkpoints after), value labels, * = significant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    # order: each base followed by its fine-tuned checkpoints
    bases = [r for r in board.rows if not r["base"]]
    order = []
    for b in bases:
        order.append(b)
        order += [r for r in board.rows if r["base"] == b["name"]]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    written = []

    def panel(ax, col):
        names, vals, cols, labels = [], [], [], []
        for r in order:
            cell = r["cells"].get(col["id"])
            names.append(r["name"])
            v = cell["value"] if cell and cell["value"] is not None else 0.0
            vals.append(v)
            cols.append("#9e9e9e" if not r["base"] else colors[(order.index(r)) % len(colors)])
            if cell is None:
                labels.append("error" if r["errors"].get(col["task"]) else "n/a")
            else:
                labels.append(f"{v:.3f}" + ("*" if cell.get("significant") else ""))
        bars = ax.bar(range(len(names)), vals, color=cols)
        for bar, lab in zip(bars, labels):
            ax.annotate(lab, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_title(f"{col['metric']} ({col['filter']})", fontsize=9)
        top = max(vals + [1e-9])
        ax.set_ylim(0, top * 1.2 if top > 1 else max(1.0, top * 1.2))

    tasks = list(dict.fromkeys(c["task"] for c in board.columns))
    for task in tasks:
        cols = [c for c in board.columns if c["task"] == task]
        fig, axes = plt.subplots(1, len(cols), figsize=(max(3.2 * len(cols), 4), 3.6), squeeze=False)
        for ax, col in zip(axes[0], cols):
            panel(ax, col)
        fig.suptitle(f"{task}: base (grey) vs fine-tuned; * p < 0.05 vs base", fontsize=10)
        fig.tight_layout()
        path = out_dir / f"{task}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    if board.columns:
        n = len(board.columns)
        ncols = min(4, n)
        nrows = math.ceil(n / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 3.4 * nrows), squeeze=False)
        for ax, col in zip(axes.flat, board.columns):
            panel(ax, col)
            ax.set_title(f"{col['task']}\n{col['metric']} ({col['filter']})", fontsize=8)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        fig.tight_layout()
        path = out_dir / "overview.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


# -- the whole job ---------------------------------------------------------------------------------
def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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
    from .tasks import TASKS

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
        from .commands.lm_eval import GPQA_WHY

        print(f"cec-eval leaderboard: {', '.join(private)} samples are stored without questions, options or answers "
              f"because {GPQA_WHY} (--allow-gpqa-plaintext keeps them)", file=stderr)
    status: dict[str, dict[str, dict[str, Any]]] = {}
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None
    from .runtime import offline_env, torch_threads

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
