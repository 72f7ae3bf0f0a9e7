"""GRPO step: refine a checkpoint with trl's ``GRPOTrainer`` on the task pack's own rewards.

The policy is a base/merged model folder or a Claire LoRA adapter folder (``adapter_config.json``;
training continues that adapter). A plain model gets a new LoRA adapter built exactly as in SFT
(:func:`cec_eval.distill.sft.lora_config`), QLoRA on CUDA with bitsandbytes as in SFT. The rewards
are :mod:`cec_eval.distill.rewards` (answer correctness as ``gsm8k_causal`` scores it, format
compliance by the causality parser, optionally CEC against the teacher trace), combined by trl's
``reward_weights``; a reward whose weight is 0 is not computed.

Presets (every field overridable with ``overrides={...}`` / ``--set NAME=VALUE``):

``claire-grpo``  LoRA of the ``claire`` SFT preset (seed 002: r 64, alpha 128, dropout 0.05, all
                 linear layers); trl 1.16's ``GRPOConfig`` defaults for the RL part (8 generations
                 per prompt, temperature 1.0, no KL term, clipping epsilon 0.2, 512 new tokens),
                 except the learning rate: 1e-5 instead of trl's 1e-6 full-fine-tuning default,
                 because only the adapter moves (a choice, not tuned here). 4 prompts per
                 optimizer step (batch 8 x accumulation 4 = 32 completions). Rewards: answer 1.0,
                 format 0.5, CEC 0 (off: it loads an encoder).
``smoke``        the same code path at CPU-test size: LoRA r 8, 2 generations per prompt, 24 new
                 tokens, 1 prompt per step, 2 steps.

Outputs under ``output_dir``: ``adapter/`` (peft adapter + tokenizer + model card), ``merged/``
with ``merge=True``, ``metrics.json`` (reward curves per step), ``checkpoints/`` (trl/transformers
checkpoints; a re-run resumes from the last one unless ``resume=False``).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cec_eval.errors import InputError
from cec_eval.io import atomic_write_text

from .sft import (_coerce, _fingerprint, last_checkpoint, load_student, lora_config, merge_adapter, parse_overrides,
                  quantization_plan)

log = logging.getLogger(__name__)

__all__ = ["GRPOSettings", "PRESETS", "resolve_settings", "parse_overrides", "load_rows", "build_trainer", "train"]


@dataclass
class GRPOSettings:
    preset: str = "claire-grpo"
    # LoRA (the claire SFT preset's)
    lora_r: int = 64
    lora_alpha: int = 128
    lora_dropout: float = 0.05
    target_modules: str = "all-linear"
    # optimisation
    learning_rate: float = 1e-5
    lr_scheduler_type: str = "constant"
    warmup_ratio: float = 0.0
    weight_decay: float = 0.0
    per_device_train_batch_size: int = 8  # completions per device per micro-batch
    gradient_accumulation_steps: int = 4
    num_train_epochs: float = 1.0
    max_steps: int = -1  # > 0 overrides epochs
    # GRPO (trl's names)
    num_generations: int = 8  # the group size
    max_completion_length: int = 512
    temperature: float = 1.0
    beta: float = 0.0  # KL coefficient; > 0 keeps a reference model (the adapter disabled)
    epsilon: float = 0.2
    num_iterations: int = 1
    scale_rewards: str = "group"
    # reward weights (0: the reward is not computed)
    reward_answer_correct: float = 1.0
    reward_format_compliance: float = 0.5
    reward_cec_sym: float = 0.0
    # bookkeeping
    load_in_4bit: bool = False
    gradient_checkpointing: bool = False
    chat: bool = True  # conversational prompts through the tokenizer's chat template (as lm-eval --apply_chat_template)
    logging_steps: int = 1
    save_steps: int = 50
    save_total_limit: int = 2
    seed: int = 42

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def reward_weights(self) -> dict[str, float]:
        """Reward name -> weight, for the rewards that are on (weight != 0), in a fixed order."""
        weights = {"answer_correct": self.reward_answer_correct, "format_compliance": self.reward_format_compliance,
                   "cec_sym": self.reward_cec_sym}
        return {k: float(v) for k, v in weights.items() if v}


PRESETS: dict[str, dict[str, Any]] = {
    "claire-grpo": {},  # the dataclass defaults
    "smoke": {"lora_r": 8, "lora_alpha": 16, "learning_rate": 1e-4, "per_device_train_batch_size": 2,
              "gradient_accumulation_steps": 1, "num_generations": 2, "max_completion_length": 24, "max_steps": 2,
              "save_steps": 1},
}


def resolve_settings(preset: str = "claire-grpo", overrides: dict[str, Any] | None = None) -> GRPOSettings:
    """A preset with overrides applied; an unknown preset or field, a value of the wrong type, no
    reward on, or a batch that is not a whole number of groups is an :class:`InputError`."""
    if preset not in PRESETS:
        raise InputError(f"unknown GRPO preset {preset!r}; choose from {list(PRESETS)}")
    fields = {f.name: f.type for f in dataclasses.fields(GRPOSettings)}
    values = {"preset": preset, **PRESETS[preset]}
    for name, value in (overrides or {}).items():
        if name not in fields or name == "preset":
            raise InputError(f"unknown GRPO setting {name!r}; known: {sorted(k for k in fields if k != 'preset')}")
        values[name] = _coerce(name, value, fields[name])
    s = GRPOSettings(**values)
    if not s.reward_weights:
        raise InputError("GRPO: every reward weight is 0 (reward_answer_correct, reward_format_compliance, reward_cec_sym)")
    if s.num_generations < 2:
        raise InputError(f"GRPO setting num_generations={s.num_generations}: a group needs at least 2 completions")
    batch = s.per_device_train_batch_size * s.gradient_accumulation_steps
    if batch % s.num_generations:
        raise InputError(f"GRPO: per_device_train_batch_size x gradient_accumulation_steps = {batch} completions is not "
                         f"a multiple of num_generations = {s.num_generations}")
    return s


def load_rows(data: str | os.PathLike | list[dict]) -> list[dict]:
    """GRPO rows from a JSONL file (e.g. the teacher step's ``traces.jsonl``) or a list: each needs a
    text ``prompt`` and ``gold``; ``kind`` (``number``/``letter``) and the teacher trace in
    ``completion`` are optional. Errors name the file, row and field."""
    from .records import read_jsonl

    where = str(data) if isinstance(data, (str, os.PathLike)) else "rows"
    rows = read_jsonl(data, required=("prompt", "gold")) if isinstance(data, (str, os.PathLike)) else list(data)
    if not rows:
        raise InputError(f"{where}: no rows")
    for i, row in enumerate(rows):
        for name in ("prompt", "gold"):
            if not isinstance(row.get(name), (str, int)) or isinstance(row.get(name), bool) or not str(row[name]).strip():
                got = "missing" if name not in row else "null" if row[name] is None else repr(row[name])[:40]
                raise InputError(f"{where}: row {i}: field {name!r} is {got}, expected non-empty text")
        if row.get("kind", "number") not in ("number", "letter"):
            raise InputError(f"{where}: row {i}: field 'kind' is {row['kind']!r}, expected 'number' or 'letter'")
        if row.get("completion") is not None and not isinstance(row["completion"], str):
            raise InputError(f"{where}: row {i}: field 'completion' is {type(row['completion']).__name__}, expected text")
    return rows


def _dataset(rows: list[dict], chat: bool):
    import datasets

    return datasets.Dataset.from_list([{
        "prompt": [{"role": "user", "content": r["prompt"]}] if chat else r["prompt"],
        "gold": str(r["gold"]), "kind": r.get("kind") or "number", "reference": r.get("completion"),
    } for r in rows])


def resolve_policy(model: str | None, base_model: str | None = None) -> tuple[str, str | None]:
    """(base model folder, adapter folder or None). ``model`` may be a model folder or a peft adapter
    folder (its ``base_model_name_or_path`` is the base unless ``base_model`` is given); None: the
    embedded SmolLM2."""
    if model is None:
        from cec_eval.resources import smollm2_model_dir

        return base_model or smollm2_model_dir(), None
    path = Path(model)
    if not path.exists():
        raise InputError(f"--model {model}: no such folder")
    cfg = path / "adapter_config.json"
    if cfg.is_file():
        try:
            base = base_model or json.loads(cfg.read_text())["base_model_name_or_path"]
        except (ValueError, KeyError) as e:
            raise InputError(f"{cfg}: cannot read base_model_name_or_path ({e}); pass --base-model") from None
        return base, str(path)
    return str(path), None


def build_trainer(rows: list[dict], policy: str, output_dir: str | os.PathLike, settings: GRPOSettings,
                  adapter: str | None = None, use_4bit: bool = False):
    """The configured ``GRPOTrainer`` on ``rows`` (see :func:`load_rows`)."""
    import torch
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from .rewards import REWARDS

    tok = AutoTokenizer.from_pretrained(adapter or policy)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    chat = settings.chat and bool(getattr(tok, "chat_template", None))
    if settings.chat and not chat:
        print(f"note: {policy} has no chat template; training on plain-text prompts")
    cuda = torch.cuda.is_available()
    bf16 = bool(cuda and torch.cuda.is_bf16_supported())
    model = load_student(policy, use_4bit, settings.gradient_checkpointing)
    peft_config = None
    if adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter, is_trainable=True)
    else:
        peft_config = lora_config(settings)
    weights = settings.reward_weights
    args = GRPOConfig(
        output_dir=str(Path(output_dir) / "checkpoints"),
        learning_rate=settings.learning_rate, lr_scheduler_type=settings.lr_scheduler_type,
        warmup_steps=settings.warmup_ratio, weight_decay=settings.weight_decay,
        per_device_train_batch_size=settings.per_device_train_batch_size,
        gradient_accumulation_steps=settings.gradient_accumulation_steps, num_train_epochs=settings.num_train_epochs,
        max_steps=settings.max_steps, num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length, temperature=settings.temperature, beta=settings.beta,
        epsilon=settings.epsilon, num_iterations=settings.num_iterations, scale_rewards=settings.scale_rewards,
        reward_weights=list(weights.values()), gradient_checkpointing=settings.gradient_checkpointing,
        logging_steps=settings.logging_steps, save_strategy="steps", save_steps=settings.save_steps,
        save_total_limit=settings.save_total_limit, seed=settings.seed, bf16=bf16, use_cpu=not cuda,
        report_to="none", dataloader_num_workers=0, disable_tqdm=False,
    )
    return GRPOTrainer(model=model, reward_funcs=[REWARDS[name]() for name in weights], args=args,
                       train_dataset=_dataset(rows, chat), processing_class=tok, peft_config=peft_config)


def reward_curve(log_history: list[dict]) -> list[dict]:
    """Per logged step: the step, the weighted reward mean and each reward's mean (trl's log keys
    ``reward`` and ``rewards/<name>/mean``), rounded to 4 places."""
    out = []
    for h in log_history:
        if "reward" not in h or "step" not in h:
            continue
        row = {"step": h["step"], "reward": round(float(h["reward"]), 4)}
        for k, v in h.items():
            if k.startswith("rewards/") and k.endswith("/mean"):
                row[k[len("rewards/"):-len("/mean")]] = round(float(v), 4)
        out.append(row)
    return out


def model_card(policy: str, adapter: str | None, data: dict[str, Any], settings: GRPOSettings, quant_note: str,
               metrics: dict[str, Any], kind: str) -> str:
    curve = metrics.get("reward_curve", [])
    lines = [
        "---", "library_name: peft" if kind == "adapter" else "library_name: transformers",
        f"base_model: {Path(policy).name or policy}", "tags: [cec-eval, claire, causal-reasoning, lora, grpo, trl]",
        "---", "", f"# Claire ({kind}) refined with GRPO", "",
        "Made with `cec-eval distill grpo` (trl GRPOTrainer; rewards from the cec-eval task pack).", "",
        "## Policy", f"- base: `{policy}`", f"- started from adapter: `{adapter}`" if adapter else "- new LoRA adapter", "",
        "## Data", *(f"- {k}: {v}" for k, v in data.items()), "",
        f"## Training (preset `{settings.preset}`)", f"- quantisation: {quant_note}",
        f"- rewards (weight): {settings.reward_weights}",
        *(f"- {k}: {v}" for k, v in settings.to_dict().items() if k != "preset"), "",
        "## Metrics",
        f"- weighted reward: first logged {curve[0]['reward'] if curve else None}, "
        f"last logged {curve[-1]['reward'] if curve else None} ({len(curve)} logged steps)",
        *(f"- {k}: {v}" for k, v in metrics.items() if k != "reward_curve"), "",
    ]
    return "\n".join(lines)


def train(train_data: str | os.PathLike | list[dict], output_dir: str | os.PathLike, model: str | None = None,
          base_model: str | None = None, preset: str = "claire-grpo", overrides: dict[str, Any] | None = None,
          merge: bool = False, resume: bool = True) -> dict[str, Any]:
    """Runs GRPO and saves ``<output_dir>/adapter`` (+ ``merged``), model cards and ``metrics.json``.

    Args:
        train_data: rows or a JSONL path (:func:`load_rows`).
        model: the policy: a model folder or a peft adapter folder (None: embedded SmolLM2).
        base_model: the base of an adapter ``model`` when its config does not name a usable one.
        resume: continue from the last checkpoint under ``<output_dir>/checkpoints``.

    Returns the summary written to ``metrics.json`` (steps, runtime, reward curve, paths)."""
    from .records import write_json

    settings = resolve_settings(preset, overrides)
    rows = load_rows(train_data)
    policy, adapter = resolve_policy(model, base_model)
    use_4bit, quant_note = quantization_plan(settings.load_in_4bit)
    if settings.load_in_4bit and not use_4bit:
        log.warning("%s", quant_note)
        print(f"note: {quant_note}")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    trainer = build_trainer(rows, policy, out, settings, adapter, use_4bit)
    ckpt = last_checkpoint(out) if resume else None
    if ckpt:
        print(f"resuming from {ckpt}")
    result = trainer.train(resume_from_checkpoint=ckpt)
    metrics: dict[str, Any] = {"train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 1),
                               "global_steps": trainer.state.global_step,
                               "reward_curve": reward_curve(trainer.state.log_history)}
    data_info = {"prompts": len(rows), "fingerprint (sha256 of prompt/gold pairs)":
                 _fingerprint([{"prompt": r["prompt"], "completion": str(r["gold"])} for r in rows])}
    if isinstance(train_data, (str, os.PathLike)):
        data_info["train file"] = str(train_data)
    adapter_dir = out / "adapter"
    trainer.model.save_pretrained(str(adapter_dir))
    trainer.processing_class.save_pretrained(str(adapter_dir))
    atomic_write_text(adapter_dir / "README.md", model_card(policy, adapter, data_info, settings, quant_note, metrics, "adapter"))
    summary: dict[str, Any] = {"adapter": str(adapter_dir), "base_model": policy, "started_from_adapter": adapter,
                               "settings": settings.to_dict(), "rewards": settings.reward_weights,
                               "quantization": quant_note, "resumed_from": ckpt, **metrics}
    if merge:
        summary["merged"] = str(merge_adapter(policy, adapter_dir, out / "merged"))
        atomic_write_text(out / "merged" / "README.md", model_card(policy, adapter, data_info, settings, quant_note, metrics, "merged"))
    write_json(summary, out / "metrics.json")
    return summary
