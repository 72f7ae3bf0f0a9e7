"""The result cache: keys that hash everything that changes a (checkpoint, task) result,
atomic entry folders ``results/<task>/<key>/``, redaction of secrets before anything is written."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..version import __version__
from .checkpoints import _SECRET, Checkpoint

#: Environment that changes task outputs (the judge); secrets stay out (only the *name* of the key variable).
_JUDGE_ENV = ("CEC_JUDGE_MODEL", "CEC_JUDGE_BASE_URL", "CEC_JUDGE_HF_MODEL", "CEC_JUDGE_API_KEY_ENV")
#: Tasks whose rows must never reach disk in plain text (GPQA's terms): their logged samples keep
#: ids, hashes, responses and numeric scores only.
PRIVATE_TASK_PREFIXES = ("gpqa",)


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
        from ..fingerprint import environment_fingerprint as fp
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


def _redact(obj: Any) -> Any:
    """Secret-looking keys anywhere in a JSON tree are replaced (lm-eval echoes model_args)."""
    if isinstance(obj, dict):
        return {k: ("<redacted>" if isinstance(k, str) and _SECRET.search(k) and isinstance(v, str) else _redact(v)) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact(v) for v in obj]
    if isinstance(obj, str):
        return re.sub(r"((?:api_)?(?:key|token|secret|password)\w*=)[^,\s]*", r"\1<redacted>", obj, flags=re.I)
    return obj


def _load_entry(d: Path) -> tuple[dict, dict]:
    with open(d / "results.json", encoding="utf-8") as fh:
        results = json.load(fh)
    with open(d / "scores.json", encoding="utf-8") as fh:
        scores = json.load(fh)
    return results, scores
