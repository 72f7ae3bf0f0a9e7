"""A learned check of causal direction: do two texts state their cause → effect link the same way?

The link rules (:mod:`.links`, :mod:`.roles`) read a link only where its wording is one they know;
on new, independently written text they plateaued at 0.88–0.90 direction accuracy (blind sets
v19–v27, docs/causal_cec.md). This module adds a learned pair classifier for what the rules cannot
read (an absolute clause, a with-phrase, a log line, a social post):

    P_same(a, b) = ( p(same | [CLS] a [SEP] b) + p(same | [CLS] b [SEP] a) ) / 2

a cross-encoder: the default sentence encoder (all-MiniLM-L6-v2, from its PyPI package) with a
LoRA adapter (Hu et al. 2022; r = 16 on the attention and feed-forward projections) and a
two-way head, trained by :mod:`.direction_training` on the hand-written development sets only
(each item's reference, paraphrase and two reversals give six pairs, "same direction" or not).
The adapter (~2.7 MB) ships in the package (``data/direction_adapter``); the base weights come
from the installed backbone, so nothing is downloaded.

>>> clf = DirectionClassifier()                                      # doctest: +SKIP
>>> clf.same_direction(["The dam burst, so the valley flooded."],
...                    ["The valley flooded because the dam burst."])  # doctest: +SKIP
array([0.97...])
"""
from __future__ import annotations

import hashlib
import json
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

ADAPTER = Path(__file__).parent / "data" / "direction_adapter"
#: the label index of "same direction" in the adapter's two-way head
SAME = 1


def adapter_id(path: str | Path = ADAPTER) -> str:
    """``<base>+lora@<sha8>``: the first 8 hex digits of the SHA-256 of the adapter's weights and
    config, so a signature changes with the adapter."""
    path = Path(path)
    digest = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        digest.update((path / name).read_bytes())
    return f"minilm+lora@{digest.hexdigest()[:8]}"


class DirectionClassifier:
    """P(same causal direction) for pairs of texts, from the shipped cross-encoder adapter.

    Args:
        adapter: folder holding ``adapter_config.json`` and ``adapter_model.safetensors``
            (default: the shipped one, :data:`ADAPTER`).
        base: the sentence encoder folder the adapter was trained on (default: the installed
            ``minilm`` backbone; :class:`cec_eval.backbones.BackboneNotInstalled` if missing).
        batch_size: pairs per forward pass.
        max_length: tokens per pair (both texts together); longer pairs are truncated.

    Scores are cached per unordered pair of texts, so a pair scored again costs nothing.
    The model is loaded on first use (~1 s), in float32 on the CPU.
    """

    def __init__(self, adapter: str | Path = ADAPTER, base: str | None = None, batch_size: int = 32,
                 max_length: int = 160) -> None:
        self.adapter = Path(adapter)
        if not (self.adapter / "adapter_config.json").is_file():
            raise FileNotFoundError(f"{self.adapter}: no adapter_config.json (a direction adapter folder)")
        self.base = base
        self.batch_size = int(batch_size)
        self.max_length = int(max_length)
        self._cache: dict[tuple[str, str], float] = {}

    @cached_property
    def name(self) -> str:
        return adapter_id(self.adapter)

    @cached_property
    def _model(self):
        from peft import PeftModel
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from .. import backbones

        base = self.base or backbones.model_path("minilm")
        config = json.loads((self.adapter / "adapter_config.json").read_text(encoding="utf-8"))
        labels = int(config.get("num_labels", 2))
        model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=labels)
        model = PeftModel.from_pretrained(model, str(self.adapter))
        model.eval()
        return AutoTokenizer.from_pretrained(base), model

    def _forward(self, a: list[str], b: list[str]) -> np.ndarray:
        import torch

        tokenizer, model = self._model
        out = []
        for k in range(0, len(a), self.batch_size):
            x = tokenizer(a[k:k + self.batch_size], b[k:k + self.batch_size], truncation=True,
                          max_length=self.max_length, padding=True, return_tensors="pt")
            with torch.inference_mode():
                out.append(model(**x).logits.float().softmax(-1)[:, SAME].numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def same_direction(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """P_same for each pair (a[i], b[i]): shape (n,), float64 in [0, 1], symmetric in a and b.

        Raises:
            ValueError: a and b differ in length.
        """
        if len(a) != len(b):
            raise ValueError(f"a and b must have the same length, got {len(a)} and {len(b)}")
        keys = [tuple(sorted((x, y))) for x, y in zip(a, b)]
        todo = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if todo:
            x, y = [k[0] for k in todo], [k[1] for k in todo]
            p = (self._forward(x, y) + self._forward(y, x)) / 2
            self._cache.update(zip(todo, map(float, p)))
        return np.array([self._cache[k] for k in keys], dtype=np.float64)

    def clear_cache(self) -> None:
        self._cache.clear()


@lru_cache(maxsize=1)
def default_classifier() -> DirectionClassifier:
    """The shipped adapter, loaded once per process and shared by every matcher that uses it."""
    return DirectionClassifier()
