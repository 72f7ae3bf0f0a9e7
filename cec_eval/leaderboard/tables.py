"""The table: one row per checkpoint, deltas against the base with a paired test per metric
column, rendered as markdown / CSV / JSON."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..version import __version__
from .cache import _load_entry
from .checkpoints import Checkpoint

#: Metrics shown in the table (per filter); lexical metrics stay in the raw files.
TABLE_METRICS = ("cec_sym", "exact_match", "acc", "judged_acc", "format_compliance")


# -- table -----------------------------------------------------------------------------------------
def columns_for(task: str, scores: dict[str, dict[str, dict]], metrics: Sequence[str]) -> list[tuple[str, str]]:
    """(metric, filter) pairs to show for one task, in a stable order."""
    cols = []
    for metric in metrics:
        for filt in sorted(scores):
            if metric in scores[filt] and scores[filt][metric]:
                cols.append((metric, filt))
    return cols


def paired_significance(base: dict[str, float], system: dict[str, float]) -> dict[str, Any]:
    """Delta (system − base) on the doc ids both have, tested with the Wilcoxon signed-rank test
    (:func:`cec_eval.stats.wilcoxon`: scipy, exact for small n; on 0/1 scores it is the sign test).
    The paired t-test p is kept alongside. Not the approximate randomisation of ``stats``: its
    sacrebleu p-value counts only trials *strictly* above the observed difference, so with few
    discrete scores (0/1 accuracy, small --limit) ties never count and p collapses to 1/(N+1)."""
    from ..stats import paired_ttest, wilcoxon

    docs = sorted(set(base) & set(system), key=lambda d: (len(d), d))
    out: dict[str, Any] = {"n_paired": len(docs)}
    if not docs:
        return out | {"delta": None, "pvalue": None, "significant": None, "reason": "no doc ids in common"}
    a = [base[d] for d in docs]
    b = [system[d] for d in docs]
    out["delta"] = sum(b) / len(b) - sum(a) / len(a)
    w = wilcoxon(b, a, ("system", "base"))
    t = paired_ttest(b, a, ("system", "base"))
    return out | {
        "pvalue": w.pvalue,
        "significant": w.significant(),
        "test": w.test,
        "reason": w.reason,
        "ttest_pvalue": t.pvalue,
    }


@dataclass
class Leaderboard:
    rows: list[dict[str, Any]]
    columns: list[dict[str, str]]
    errors: list[dict[str, str]]
    output_dir: Path | None = None
    files: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "errors": self.errors, "version": __version__}

    # -- renderers
    def _cells(self, row: dict[str, Any], col: dict[str, str]) -> tuple[str, str]:
        cell = row["cells"].get(col["id"])
        if cell is None:
            err = row["errors"].get(col["task"])
            return ("ERROR" if err else "–"), ""
        value = "–" if cell["value"] is None else f"{cell['value']:.4f}"
        delta = ""
        if cell.get("delta") is not None:
            star = "*" if cell.get("significant") else ""
            p = cell.get("pvalue")
            delta = f"{cell['delta']:+.4f}{star}" + (f" (p={p:.3f})" if p is not None else "")
        return value, delta

    def markdown(self) -> str:
        head = ["checkpoint", "base"]
        for c in self.columns:
            head += [c["id"], "Δ"]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows:
            cells = [row["name"], row["base"] or "(base)"]
            for c in self.columns:
                cells += list(self._cells(row, c))
            lines.append("| " + " | ".join(cells) + " |")
        notes = ["", "Δ = checkpoint − its base on the doc ids both have; * = p < 0.05, Wilcoxon signed-rank "
                 "test on per-sample scores matched by doc_id (the sign test on 0/1 scores)."]
        for e in self.errors:
            notes.append(f"- ERROR {e['checkpoint']} / {e['task']}: {e['error']}")
        return "\n".join(lines + notes) + "\n"

    def csv_rows(self) -> list[list[Any]]:
        out = [["checkpoint", "base", "task", "metric", "filter", "value", "n", "delta", "n_paired", "pvalue", "significant", "error"]]
        for row in self.rows:
            for c in self.columns:
                cell = row["cells"].get(c["id"])
                err = row["errors"].get(c["task"], "")
                if cell is None:
                    out.append([row["name"], row["base"] or "", c["task"], c["metric"], c["filter"], "", "", "", "", "", "", err])
                    continue
                out.append([row["name"], row["base"] or "", c["task"], c["metric"], c["filter"], cell["value"], cell["n"],
                            cell.get("delta", ""), cell.get("n_paired", ""), cell.get("pvalue", ""), cell.get("significant", ""), err])
        return out


def build_table(
    checkpoints: Sequence[Checkpoint],
    tasks: Sequence[str],
    status: dict[str, dict[str, dict[str, Any]]],
    metrics: Sequence[str] = TABLE_METRICS,
) -> Leaderboard:
    """Rows from the cached entries named in ``status`` ({checkpoint: {task: {...}}})."""
    scores: dict[tuple[str, str], dict] = {}
    for cp in checkpoints:
        for task in tasks:
            st = status.get(cp.name, {}).get(task, {})
            if "dir" in st:
                scores[(cp.name, task)] = _load_entry(Path(st["dir"]))[1]
    columns: list[dict[str, str]] = []
    for task in tasks:
        seen: list[tuple[str, str]] = []
        for cp in checkpoints:
            for col in columns_for(task, scores.get((cp.name, task), {}), metrics):
                if col not in seen:
                    seen.append(col)
        seen.sort(key=lambda mf: (list(metrics).index(mf[0]), mf[1]))
        columns += [{"id": f"{task}/{m},{f}", "task": task, "metric": m, "filter": f} for m, f in seen]
    rows, errors = [], []
    for cp in checkpoints:
        row: dict[str, Any] = {"name": cp.name, "base": cp.base, "model": cp.model, "model_args": cp.public_args(), "cells": {}, "errors": {}}
        for task in tasks:
            st = status.get(cp.name, {}).get(task, {})
            if "error" in st:
                row["errors"][task] = st["error"]
                errors.append({"checkpoint": cp.name, "task": task, "error": st["error"]})
        for c in columns:
            mine = scores.get((cp.name, c["task"]), {}).get(c["filter"], {}).get(c["metric"])
            if not mine:
                continue
            cell: dict[str, Any] = {"value": sum(mine.values()) / len(mine), "n": len(mine)}
            if cp.base:
                theirs = scores.get((cp.base, c["task"]), {}).get(c["filter"], {}).get(c["metric"])
                if theirs:
                    cell.update(paired_significance(theirs, mine))
                else:
                    cell.update({"delta": None, "reason": f"base {cp.base!r} has no result"})
            row["cells"][c["id"]] = cell
        rows.append(row)
    return Leaderboard(rows=rows, columns=columns, errors=errors)
