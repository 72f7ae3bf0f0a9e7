"""Checkpoints under test: the ``NAME=SPEC`` form, YAML/JSON config files and base pairing."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..errors import InputError

DEFAULT_TASKS = ("climate_fever_cec", "gsm8k_causal", "gpqa_causal_diamond")
#: model_args that may carry secrets: never written, never hashed.
_SECRET = re.compile(r"(key|token|secret|password|auth)", re.I)


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
