"""Trains the direction adapter of :mod:`.direction_model` (a config dataclass and the
transformers ``Trainer``; no hand-written loop).

Data: direction sets in the blind-set format (JSON Lines with ``reference``, ``paraphrase``,
``reversal_reference``, ``reversal_paraphrase``). Each item gives six pairs, each in both orders:

    (reference, paraphrase) same          (reference, reversal_reference) opposite
    (reversal_reference, reversal_paraphrase) same   (reference, reversal_paraphrase) opposite
    (paraphrase, reversal_reference) opposite        (paraphrase, reversal_paraphrase) opposite

so the classifier sees a reversal in the same words and one in other words, and a paraphrase in
other words, for every claim. The shipped adapter was trained on blind sets v1–v22 (4,367 items,
52,404 pairs, one epoch, ~40 min on 2 CPU cores); v23–v27 were kept out of training to choose how
the matcher uses it, and later sets are measured once.

    python -m cec_eval.causal.direction_training OUT_DIR SET.jsonl [SET.jsonl ...]
"""
from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..io import atomic_write_text, read_jsonl

#: what the saved adapter config names as its base (the folder itself comes from the installed backbone)
BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
FIELDS = ("reference", "paraphrase", "reversal_reference", "reversal_paraphrase")


@dataclass
class DirectionTrainingConfig:
    """Hyper-parameters of the shipped adapter (LoRA as in QLoRA-style SFT, without quantisation:
    the 22.7M-parameter base fits in float32)."""

    sets: Sequence[str | Path] = ()
    output_dir: str | Path = "direction_adapter"
    base: str | None = None  # sentence encoder folder; default: the installed minilm backbone
    epochs: float = 1.0
    batch_size: int = 32
    learning_rate: float = 3e-4
    warmup: float = 0.06  # share of the steps
    weight_decay: float = 0.01
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.05
    target_modules: tuple[str, ...] = ("query", "key", "value", "dense")
    max_length: int = 160
    seed: int = 0
    max_steps: int = -1  # > 0: stop after this many steps (tests)
    extra: dict = field(default_factory=dict)  # further TrainingArguments


def direction_pairs(items: Sequence[dict], seed: int = 0) -> list[tuple[str, str, int]]:
    """(text a, text b, 1 if same direction else 0): six pairs per item, each in both orders,
    shuffled with ``random.Random(seed)``."""
    out = []
    for it in items:
        r, p, rr, rp = (it[k] for k in FIELDS)
        for a, b, y in ((r, p, 1), (r, rr, 0), (r, rp, 0), (p, rr, 0), (p, rp, 0), (rr, rp, 1)):
            out += [(a, b, y), (b, a, y)]
    random.Random(seed).shuffle(out)
    return out


def train(config: DirectionTrainingConfig) -> Path:
    """Trains and saves the adapter (and the tokenizer) into ``config.output_dir``; returns it.

    Raises:
        cec_eval.errors.InputError: a set's row misses one of :data:`FIELDS` (file, row, field).
    """
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding, Trainer,
                              TrainingArguments)

    from .. import backbones

    items = [row for path in config.sets for row in read_jsonl(path, required=FIELDS)]
    pairs = direction_pairs(items, config.seed)
    base = config.base or backbones.model_path("minilm")
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=2)
    model = get_peft_model(model, LoraConfig(task_type="SEQ_CLS", r=config.lora_r, lora_alpha=config.lora_alpha,
                                             lora_dropout=config.lora_dropout,
                                             target_modules=list(config.target_modules)))
    data = Dataset.from_dict({"a": [p[0] for p in pairs], "b": [p[1] for p in pairs], "label": [p[2] for p in pairs]})
    data = data.map(lambda x: tokenizer(x["a"], x["b"], truncation=True, max_length=config.max_length),
                    batched=True, remove_columns=["a", "b"])
    out = Path(config.output_dir)
    args = TrainingArguments(output_dir=str(out / "trainer"), num_train_epochs=config.epochs, max_steps=config.max_steps,
                             per_device_train_batch_size=config.batch_size, learning_rate=config.learning_rate,
                             warmup_steps=config.warmup, weight_decay=config.weight_decay, logging_steps=50,
                             save_strategy="no", report_to=[], seed=config.seed, use_cpu=True,
                             dataloader_num_workers=0, **config.extra)
    Trainer(model=model, args=args, train_dataset=data, data_collator=DataCollatorWithPadding(tokenizer)).train()
    model.save_pretrained(str(out))
    # the base is passed at load time: the config names the model, not this machine's folder (set
    # after saving; before, peft looks the name up for a vocabulary check)
    config_path = out / "adapter_config.json"
    saved = json.loads(config_path.read_text(encoding="utf-8"))
    saved["base_model_name_or_path"] = BASE_NAME
    atomic_write_text(config_path, json.dumps(saved, indent=2, sort_keys=True) + "\n")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    print(train(DirectionTrainingConfig(output_dir=argv[0], sets=argv[1:])))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
