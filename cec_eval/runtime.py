"""Scoped process settings: a command may need torch's thread count or a few environment
variables set while it runs, but nothing of the project changes them for good (a library must not
leave its caller's global state changed). Both context managers restore what they found."""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)`` (``None``: leave it as it is).

    One thread per process is the measured default for generation on a shared 2-core CPU: with two,
    OpenMP workers spin against each other and against other processes (10x slower measured)."""
    if n is None:
        yield
        return
    if n < 1:
        raise ValueError(f"threads must be at least 1, got {n}")
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def scoped_env(values: dict[str, str], override: bool = False) -> Iterator[None]:
    """Set environment variables for the block, then restore them (unset ones are removed again).

    ``override=False`` keeps a value the user already set (as ``os.environ.setdefault``)."""
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if override or key not in os.environ:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def offline_env() -> contextlib.AbstractContextManager:
    """The Hugging Face offline switches for the block (values the user set are kept)."""
    return scoped_env({v: "1" for v in OFFLINE_VARS})
