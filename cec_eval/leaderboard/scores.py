"""Per-sample scores from lm-eval's logged samples (CEC re-scored per item), and the stripped
samples of private tasks (GPQA)."""
from __future__ import annotations

import math
from typing import Any, Iterable

CEC_KINDS = {"cec_sym": "sym", "cec_forward": "forward", "cec_backward": "backward"}


# -- per-sample scores -----------------------------------------------------------------------------
def per_sample_scores(samples: Iterable[dict], cec_model: Any = None) -> dict[str, dict[str, dict[str, float]]]:
    """``{filter: {metric: {doc_id: score}}}`` from lm-eval's logged samples. Numeric metrics are
    taken as logged; the CEC metrics (logged as ``(prediction, references, ...)`` items for one
    corpus-level pass) are scored per item with :func:`cec_eval.get_scorer`, whose mean equals the
    task's aggregated value."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    cec_items: dict[str, list[tuple[str, Any]]] = {}
    for s in samples:
        filt, doc = s.get("filter", "none"), str(s["doc_id"])
        for metric in s.get("metrics", []):
            value = s.get(metric)
            if metric in CEC_KINDS and isinstance(value, (list, tuple)):
                if metric == "cec_sym":  # one item serves all three CEC directions
                    cec_items.setdefault(filt, []).append((doc, value))
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out.setdefault(filt, {}).setdefault(metric, {})[doc] = float(value)
            elif isinstance(value, bool):
                out.setdefault(filt, {}).setdefault(metric, {})[doc] = float(value)
    if cec_items:
        from ..tasks.metrics import scorer_for

        for filt, items in cec_items.items():
            options = {it[3] if len(it) > 3 else None for _, it in items}
            scorer = scorer_for(options.pop() if len(options) == 1 else None, model=cec_model)
            res = scorer.score([str(it[0] or "") for _, it in items], [list(it[1]) for _, it in items])
            for metric, kind in CEC_KINDS.items():
                out.setdefault(filt, {})[metric] = {doc: float(v) for (doc, _), v in zip(items, getattr(res, kind))}
    return out


def private_samples(samples: Iterable[dict], scores: dict[str, dict[str, dict[str, float]]]) -> list[dict]:
    """Logged samples of a private task (GPQA) without the dataset's text: ``doc``, ``arguments``
    (the prompt) and ``target`` dropped; a metric logged as an item carrying references (CEC) is
    replaced by its per-sample score, or withheld."""
    out = []
    for s in samples:
        row = {k: v for k, v in s.items() if k not in ("doc", "arguments", "target")}
        filt, doc = s.get("filter", "none"), str(s.get("doc_id"))
        for metric in s.get("metrics", []):
            value = row.get(metric)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                row[metric] = scores.get(filt, {}).get(metric, {}).get(doc, "<withheld: private task>")
        out.append(row)
    return out
