"""A realistic benchmark corpus: explanation pairs of 4–8 sentences built from Climate-FEVER
evidence (shipped), deterministic for a seed."""
from __future__ import annotations

import random

from cec_eval.resources import read_jsonl


def explanation_pairs(n: int = 1000, seed: int = 0) -> tuple[list[str], list[str]]:
    rows = list(read_jsonl("climate_fever"))
    rng = random.Random(seed)
    preds, refs = [], []
    for i in range(n):
        row = rows[i % len(rows)]
        neighbour = rows[(i * 7 + 3) % len(rows)]
        own = [e["evidence"].strip() for e in row["evidences"]]
        other = [e["evidence"].strip() for e in neighbour["evidences"]]

        def explanation() -> str:
            k = rng.randint(4, 8)
            pool = own + rng.sample(other, max(0, k - len(own)))
            return " ".join(rng.sample(pool, k) if k <= len(pool) else pool)

        preds.append(explanation())
        refs.append(explanation())
    return preds, refs
