"""SFT step: trl ``SFTTrainer`` + peft LoRA on prompt/completion records (loss on completions only).

Presets are named after their source; every field can be overridden (``overrides={"lora_r": 8}``
or ``--set lora_r=8``):

``claire``     seed 002 §4.1–4.2: LoRA r 64, alpha 128, dropout 0.05 on all linear layers;
               lr 3e-4, cosine schedule, warm-up ratio 0.05, weight decay 1e-4, batch 4 x
               gradient accumulation 4, 1 epoch.
``cec-paper``  seed 000 §4.1: 4-bit quantisation + LoRA, lr 2e-5, batch 8, 10 epochs, the
               longest sequence the model supports. The paper gives no LoRA rank/alpha, so peft's
               defaults (r 8, alpha 8, dropout 0) apply, on all linear layers.

4-bit QLoRA (bitsandbytes NF4) runs only where CUDA and bitsandbytes are present; elsewhere the
same run trains plain LoRA in full precision and says so (in the log and in the model card).
Multi-GPU: ``accelerate launch -m cec_eval.cli distill sft ...`` (trl/transformers handle DDP).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cec_eval.errors import InputError
from cec_eval.io import atomic_write_text

log = logging.getLogger(__name__)


@dataclass
class SFTSettings:
    preset: str = "claire"
    lora_r: int = 64
    lora_alpha: int = 128
    lora_dropout: float = 0.05
    target_modules: str = "all-linear"  # or a comma-separated list of module names
    learning_rate: float = 3e-4
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = 0.05
    weight_decay: float = 1e-4
    per_device_train_batch_size: int = 4
    gradient_accumulation_steps: int = 4
    # Rows per forward pass. None: the batch size on CUDA, 1 on a CPU, with the accumulation scaled
    # so the effective batch (per_device_train_batch_size x gradient_accumulation_steps) is the
    # preset's; transformers normalises the loss by the tokens of the whole accumulated batch, so
    # the update is the same up to padding. Measured on SmolLM2-135M at 512 tokens (one step):
    # peak RSS 9.2 GB with 4 rows per pass, 2.8 GB with 1 (2.3 GB adding gradient checkpointing).
    micro_batch_size: int | None = None
    num_train_epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    max_length: int | None = 1024  # None: the model's own maximum
    load_in_4bit: bool = False
    # None: on where there is no CUDA. A full `distill run` on SmolLM2 (512 tokens) peaked at
    # 3.75 GB with one row per pass and 2.88 GB adding checkpointing (9.9 GB before either).
    gradient_checkpointing: bool | None = None
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int = 2
    eval_steps: int | None = None  # None: evaluate once per epoch (when there is eval data)
    seed: int = 42

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


PRESETS: dict[str, dict[str, Any]] = {
    "claire": {},  # the dataclass defaults are seed 002's
    "cec-paper": {"lora_r": 8, "lora_alpha": 8, "lora_dropout": 0.0, "learning_rate": 2e-5,
                  "lr_scheduler_type": "linear", "warmup_ratio": 0.0, "weight_decay": 0.0,
                  "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1, "num_train_epochs": 10.0,
                  "max_length": None, "load_in_4bit": True},
}


def _coerce(name: str, value: Any, kind: Any) -> Any:
    if value is None or (isinstance(value, str) and value.lower() in ("none", "null")):
        return None
    text = str(value)
    kinds = str(kind)
    try:
        if "bool" in kinds:
            if isinstance(value, bool):
                return value
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if "int" in kinds and "float" not in kinds:
            return int(value)
        if "float" in kinds:
            return float(value)
    except ValueError:
        raise InputError(f"SFT setting {name!r}: cannot read {value!r} as {kinds}") from None
    return text


def resolve_settings(preset: str = "claire", overrides: dict[str, Any] | None = None) -> SFTSettings:
    """A preset with overrides applied; unknown names are an :class:`InputError` naming them."""
    if preset not in PRESETS:
        raise InputError(f"unknown SFT preset {preset!r}; choose from {list(PRESETS)}")
    fields = {f.name: f.type for f in dataclasses.fields(SFTSettings)}
    values = {"preset": preset, **PRESETS[preset]}
    for name, value in (overrides or {}).items():
        if name not in fields or name == "preset":
            raise InputError(f"unknown SFT setting {name!r}; known: {sorted(k for k in fields if k != 'preset')}")
        values[name] = _coerce(name, value, fields[name])
    return SFTSettings(**values)


def parse_overrides(pairs: list[str] | None) -> dict[str, str]:
    """``["lora_r=8", "learning_rate=1e-4"]`` -> dict (for ``--set``)."""
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InputError(f"--set {pair!r}: expected NAME=VALUE")
        k, v = pair.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def quantization_plan(want_4bit: bool) -> tuple[bool, str]:
    """(use 4-bit, note). 4-bit needs CUDA and bitsandbytes; otherwise plain LoRA with a note."""
    if not want_4bit:
        return False, "none (plain LoRA)"
    import torch

    if not torch.cuda.is_available():
        return False, "none: 4-bit QLoRA was requested but needs CUDA; trained plain LoRA in full precision on CPU"
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        return False, "none: 4-bit QLoRA was requested but bitsandbytes is not installed (pip install bitsandbytes)"
    return True, "4-bit NF4 (bitsandbytes, double quantisation) + LoRA = QLoRA"


def _records(data: str | os.PathLike | list[dict] | None) -> list[dict] | None:
    if data is None:
        return None
    if isinstance(data, (str, os.PathLike)):
        from .records import read_jsonl

        return read_jsonl(data, required=("prompt", "completion"))
    return list(data)


def _dataset(records: list[dict]):
    import datasets

    keep = [{"prompt": r["prompt"], "completion": r["completion"]} for r in records]
    return datasets.Dataset.from_list(keep)


def _fingerprint(records: list[dict]) -> str:
    blob = json.dumps([[r["prompt"], r["completion"]] for r in records], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _run_key(base_model: str, settings: "SFTSettings", train_recs: list[dict], eval_recs: list[dict] | None,
             merge: bool) -> str:
    """What determines a finished SFT run's output: base model, settings, train/eval data, merge."""
    blob = json.dumps({"base_model": str(base_model), "settings": settings.to_dict(), "train": _fingerprint(train_recs),
                       "eval": _fingerprint(eval_recs or []), "merge": bool(merge)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def finished_run(output_dir: str | os.PathLike, run_key: str) -> dict[str, Any] | None:
    """The stored summary of a finished run in ``output_dir`` with this ``run_key`` (its
    ``metrics.json`` is written last, after the adapter and any merged model), else None."""
    path = Path(output_dir) / "metrics.json"
    try:
        done = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if done.get("run_key") != run_key or not (Path(output_dir) / "adapter" / "adapter_config.json").is_file():
        return None
    if done.get("merged") and not (Path(output_dir) / "merged" / "config.json").is_file():
        return None
    return done


def lora_config(settings: Any):
    """peft ``LoraConfig`` from a settings object's ``lora_r``, ``lora_alpha``, ``lora_dropout`` and
    ``target_modules`` ("all-linear" or comma-separated module names); shared with GRPO."""
    from peft import LoraConfig

    targets: Any = settings.target_modules
    if targets != "all-linear":
        targets = [t.strip() for t in str(targets).split(",") if t.strip()]
    return LoraConfig(r=settings.lora_r, lora_alpha=settings.lora_alpha, lora_dropout=settings.lora_dropout,
                      target_modules=targets, bias="none", task_type="CAUSAL_LM")


def micro_batches(settings: SFTSettings, cuda: bool) -> tuple[int, int]:
    """(rows per forward pass, accumulation steps) that keep the effective batch
    ``per_device_train_batch_size x gradient_accumulation_steps`` (see ``micro_batch_size``).

    Raises ``InputError`` when the micro-batch does not divide the per-device batch."""
    batch = settings.per_device_train_batch_size
    micro = settings.micro_batch_size or (batch if cuda else 1)
    if micro < 1 or batch % micro:
        raise InputError(f"micro_batch_size={micro} must divide per_device_train_batch_size={batch}")
    return micro, settings.gradient_accumulation_steps * (batch // micro)


def load_student(path: str, use_4bit: bool = False, gradient_checkpointing: bool = False):
    """The model to train (SFT and GRPO alike): 4-bit NF4 with double quantisation (QLoRA) when
    asked and CUDA is there, bf16/fp32 on CUDA, fp32 on a CPU."""
    import torch
    from transformers import AutoModelForCausalLM

    cuda = torch.cuda.is_available()
    bf16 = bool(cuda and torch.cuda.is_bf16_supported())
    kwargs: dict[str, Any] = {}
    if use_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if bf16 else torch.float16)
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", 0))}
    elif cuda:
        kwargs["dtype"] = torch.bfloat16 if bf16 else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if use_4bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=gradient_checkpointing)
    return model


def build_trainer(train: list[dict], eval_: list[dict] | None, base_model: str, output_dir: str | os.PathLike,
                  settings: SFTSettings, use_4bit: bool = False):
    """The configured ``SFTTrainer`` (also used by tests to inspect labels on token ids)."""
    import torch
    from transformers import AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    tok = AutoTokenizer.from_pretrained(base_model)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    cuda = torch.cuda.is_available()
    bf16 = bool(cuda and torch.cuda.is_bf16_supported())
    checkpointing = (not cuda) if settings.gradient_checkpointing is None else settings.gradient_checkpointing
    model = load_student(base_model, use_4bit, checkpointing)

    peft_config = lora_config(settings)
    max_length = settings.max_length
    if max_length is None:
        max_length = int(getattr(model.config, "max_position_embeddings", 0) or tok.model_max_length)
    has_eval = bool(eval_)
    micro, accumulation = micro_batches(settings, cuda)
    args = SFTConfig(
        output_dir=str(Path(output_dir) / "checkpoints"),
        learning_rate=settings.learning_rate, lr_scheduler_type=settings.lr_scheduler_type,
        warmup_steps=settings.warmup_ratio,  # a float < 1 is a ratio of the total steps
        weight_decay=settings.weight_decay, per_device_train_batch_size=micro,
        per_device_eval_batch_size=micro,
        gradient_accumulation_steps=accumulation, num_train_epochs=settings.num_train_epochs,
        max_steps=settings.max_steps, max_length=max_length, completion_only_loss=True,
        gradient_checkpointing=checkpointing, logging_steps=settings.logging_steps,
        save_strategy="steps", save_steps=settings.save_steps, save_total_limit=settings.save_total_limit,
        eval_strategy=("steps" if settings.eval_steps else "epoch") if has_eval else "no",
        eval_steps=settings.eval_steps, seed=settings.seed, bf16=bf16, use_cpu=not cuda,
        report_to="none", dataloader_num_workers=0, dataset_num_proc=None, disable_tqdm=False,
    )
    return SFTTrainer(model=model, args=args, train_dataset=_dataset(train),
                      eval_dataset=_dataset(eval_) if has_eval else None, processing_class=tok,
                      peft_config=peft_config)


def last_checkpoint(output_dir: str | os.PathLike) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    ckpt = Path(output_dir) / "checkpoints"
    return get_last_checkpoint(str(ckpt)) if ckpt.is_dir() else None


def loss_curve(log_history: list[dict]) -> dict[str, list[dict]]:
    train = [{"step": h["step"], "loss": round(float(h["loss"]), 4), "learning_rate": h.get("learning_rate")}
             for h in log_history if "loss" in h and "step" in h]
    evals: dict[int, dict] = {}  # the closing evaluate() repeats the last scheduled one
    for h in log_history:
        if "eval_loss" in h:
            evals[h["step"]] = {"step": h["step"], "eval_loss": round(float(h["eval_loss"]), 4)}
    return {"train": train, "eval": list(evals.values())}


def model_card(base_model: str, data: dict[str, Any], settings: SFTSettings, quant_note: str,
               metrics: dict[str, Any], kind: str) -> str:
    base_name = Path(base_model).name or base_model
    curve = metrics.get("loss_curve", {}).get("train", [])
    first, last = (curve[0]["loss"], curve[-1]["loss"]) if curve else (None, None)
    lines = [
        "---", "library_name: peft" if kind == "adapter" else "library_name: transformers",
        f"base_model: {base_name}", "tags: [cec-eval, claire, causal-reasoning, lora, sft, trl]", "---", "",
        f"# Claire ({kind}) distilled from {base_name}", "",
        "Made with `cec-eval distill` (teacher traces -> prompt/completion SFT with loss on completions only).", "",
        "## Base model", f"- `{base_model}`", "",
        "## Data",
        *(f"- {k}: {v}" for k, v in data.items()), "",
        f"## Training (preset `{settings.preset}`)",
        f"- quantisation: {quant_note}",
        *(f"- {k}: {v}" for k, v in settings.to_dict().items() if k != "preset"), "",
        "## Metrics",
        f"- train loss: first logged {first}, last logged {last} ({len(curve)} logged steps)",
        *(f"- {k}: {v}" for k, v in metrics.items() if k not in ("loss_curve",)), "",
        "## Use", "```bash",
        (f"lm_eval --model hf --model_args pretrained={base_model},peft=<this folder> ..." if kind == "adapter"
         else "lm_eval --model hf --model_args pretrained=<this folder> ..."),
        "```", "",
    ]
    return "\n".join(lines)


def train(train_data: str | os.PathLike | list[dict], output_dir: str | os.PathLike, base_model: str | None = None,
          eval_data: str | os.PathLike | list[dict] | None = None, preset: str = "claire",
          overrides: dict[str, Any] | None = None, merge: bool = False, resume: bool = True) -> dict[str, Any]:
    """Trains a LoRA adapter; saves ``<output_dir>/adapter`` (+ ``merged`` when asked), a model
    card in each, and ``<output_dir>/metrics.json`` (loss curve, eval loss). Resumes from the last
    checkpoint under ``<output_dir>/checkpoints`` when ``resume``; with ``resume``, a finished run
    with the same base model, settings and data is returned as stored (``"reused": True``), with
    nothing trained or re-saved."""
    from .records import write_json

    settings = resolve_settings(preset, overrides)
    if base_model is None:
        from cec_eval.resources import smollm2_model_dir

        base_model = smollm2_model_dir()
    train_recs = _records(train_data)
    eval_recs = _records(eval_data) or None
    if not train_recs:
        raise InputError("no training records")
    use_4bit, quant_note = quantization_plan(settings.load_in_4bit)
    if settings.load_in_4bit and not use_4bit:
        log.warning("%s", quant_note)
        print(f"note: {quant_note}")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    run_key = _run_key(base_model, settings, train_recs, eval_recs, merge)
    if resume:
        done = finished_run(out, run_key)
        if done is not None:
            # Re-saving an identical adapter would still change its files' mtimes, which the
            # leaderboard's cache key reads, and overwrite the measured run with a zero-step one.
            print(f"reusing the finished adapter in {out / 'adapter'} (same data, base model and settings)")
            return done | {"reused": True}
    trainer = build_trainer(train_recs, eval_recs, base_model, out, settings, use_4bit)
    ckpt = last_checkpoint(out) if resume else None
    if ckpt:
        print(f"resuming from {ckpt}")
    result = trainer.train(resume_from_checkpoint=ckpt)
    metrics: dict[str, Any] = {"train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 1),
                               "global_steps": trainer.state.global_step,
                               "train_loss_mean": round(float(result.training_loss), 4)}
    if eval_recs:
        ev = trainer.evaluate()
        if "eval_loss" in ev:  # absent when every eval example was truncated away
            metrics["eval_loss"] = round(float(ev["eval_loss"]), 4)
            metrics["eval_perplexity"] = round(math.exp(min(50.0, ev["eval_loss"])), 3)
    metrics["loss_curve"] = loss_curve(trainer.state.log_history)
    data_info = {"train records": len(train_recs), "eval records": len(eval_recs or []),
                 "train fingerprint (sha256 of prompt/completion pairs)": _fingerprint(train_recs)}
    if isinstance(train_data, (str, os.PathLike)):
        data_info["train file"] = str(train_data)
    adapter_dir = out / "adapter"
    trainer.model.save_pretrained(str(adapter_dir))
    trainer.processing_class.save_pretrained(str(adapter_dir))
    atomic_write_text(adapter_dir / "README.md", model_card(base_model, data_info, settings, quant_note, metrics, "adapter"))
    summary: dict[str, Any] = {"adapter": str(adapter_dir), "base_model": base_model, "settings": settings.to_dict(),
                               "quantization": quant_note, "resumed_from": ckpt, "run_key": run_key, **metrics}
    if merge:
        summary["merged"] = str(merge_adapter(base_model, adapter_dir, out / "merged"))
        atomic_write_text(out / "merged" / "README.md", model_card(base_model, data_info, settings, quant_note, metrics, "merged"))
    write_json(summary, out / "metrics.json")
    return summary


def merge_adapter(base_model: str, adapter_dir: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Base (full precision, even after 4-bit training) + adapter -> a plain transformers folder
    that ``lm_eval --model hf --model_args pretrained=<folder>`` loads directly."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = AutoModelForCausalLM.from_pretrained(base_model)
    merged = PeftModel.from_pretrained(base, str(adapter_dir)).merge_and_unload()
    target = Path(target)
    merged.save_pretrained(str(target))
    AutoTokenizer.from_pretrained(str(adapter_dir)).save_pretrained(str(target))
    return target
