"""Baseline rescaling (as bert_score's ``rescale_with_baseline``): b is the mean CEC of
*mismatched* explanation pairs, so after (x − b)/(1 − b) an unrelated explanation scores about 0.

Documented corpus: Climate-FEVER (shipped), one explanation per claim made of its five evidence
sentences; every explanation i is paired with explanation π(i) of another claim, π a cyclic shift
by a seeded random offset (a derangement). b is reported per direction (forward, backward, sym).
Baselines for the default model are shipped in ``data/baselines.json``; ``cec-eval baseline``
computes them for any other model.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .io import read_json  # the one reader: BOM, bad bytes and bad JSON give one line naming the file
from .resources import DATA_DIR, read_jsonl

if TYPE_CHECKING:  # pragma: no cover
    from .scorer import CECScorer

BASELINES_FILE = DATA_DIR / "baselines.json"
CORPUS = "climate_fever:evidence-joined:shift-derangement"


def corpus_explanations() -> list[str]:
    """One explanation per Climate-FEVER claim: its evidence sentences in file order."""
    return [" ".join(e["evidence"].strip() for e in row["evidences"]) for row in read_jsonl("climate_fever")]


def mismatched_pairs(texts: list[str], seed: int = 0) -> tuple[list[str], list[str]]:
    n = len(texts)
    shift = int(np.random.default_rng(seed).integers(1, n))
    return texts, [texts[(i + shift) % n] for i in range(n)]


def baseline_key(scorer: "CECScorer") -> str:
    key = f"{scorer.embedder.name}@{scorer.embedder.fingerprint}|{scorer.splitter.backend}+{scorer.splitter.lines}"
    if getattr(scorer.embedder, "backend", "torch") != "torch":  # an ONNX/int8 encoder has its own b
        key += f"|backend:{scorer.embedder.backend}"
    if scorer.matcher.name != "plain":
        key += f"|{scorer.matcher.name}"
    return key if scorer.aggregation == "mean" else f"{key}|agg:{scorer.aggregation}"


def compute_baseline(scorer: "CECScorer", seed: int = 0, limit: int | None = None) -> dict:
    """Mean raw CEC of mismatched pairs from the documented corpus, per direction."""
    texts = corpus_explanations()[:limit] if limit else corpus_explanations()
    preds, refs = mismatched_pairs(texts, seed)
    result = scorer.score(preds, refs, rescale=False)
    return {
        **{k: round(v, 6) for k, v in result.mean.items()},
        "corpus": CORPUS,
        "n_pairs": len(preds),
        "seed": seed,
        "signature": result.signature,
    }


def load_baselines(path: str | Path | None = None) -> dict[str, dict]:
    path = Path(path) if path else BASELINES_FILE
    if not path.is_file():
        return {}
    return read_json(path)


def lookup(scorer: "CECScorer", path: str | Path | None = None) -> dict:
    key = baseline_key(scorer)
    table = load_baselines(path)
    if key not in table:
        raise KeyError(
            f"no CEC baseline for {key!r} in {path or BASELINES_FILE}; compute one with "
            "'cec-eval baseline --model <path> --output baselines.json' and pass it as baseline_file"
        )
    return table[key]
