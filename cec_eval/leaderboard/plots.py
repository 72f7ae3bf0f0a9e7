"""Bar plots of a :class:`~cec_eval.leaderboard.tables.Leaderboard` (seed 002 §4.5/§4.7)."""
from __future__ import annotations

import math
from pathlib import Path

from ..io import atomic_write
from .tables import Leaderboard


def plot(board: Leaderboard, out_dir: Path) -> list[Path]:
    """One PNG per task (a panel per metric column) and ``overview.png``: bars per checkpoint,
    grouped by base (base first, its fine-tuned checkpoints after), value labels, * = significant."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    # order: each base followed by its fine-tuned checkpoints
    bases = [r for r in board.rows if not r["base"]]
    order = []
    for b in bases:
        order.append(b)
        order += [r for r in board.rows if r["base"] == b["name"]]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    written = []

    def panel(ax, col):
        names, vals, cols, labels = [], [], [], []
        for r in order:
            cell = r["cells"].get(col["id"])
            names.append(r["name"])
            v = cell["value"] if cell and cell["value"] is not None else 0.0
            vals.append(v)
            cols.append("#9e9e9e" if not r["base"] else colors[(order.index(r)) % len(colors)])
            if cell is None:
                labels.append("error" if r["errors"].get(col["task"]) else "n/a")
            else:
                labels.append(f"{v:.3f}" + ("*" if cell.get("significant") else ""))
        bars = ax.bar(range(len(names)), vals, color=cols)
        for bar, lab in zip(bars, labels):
            ax.annotate(lab, (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
        ax.set_title(f"{col['metric']} ({col['filter']})", fontsize=9)
        top = max(vals + [1e-9])
        ax.set_ylim(0, top * 1.2 if top > 1 else max(1.0, top * 1.2))

    tasks = list(dict.fromkeys(c["task"] for c in board.columns))
    for task in tasks:
        cols = [c for c in board.columns if c["task"] == task]
        fig, axes = plt.subplots(1, len(cols), figsize=(max(3.2 * len(cols), 4), 3.6), squeeze=False)
        for ax, col in zip(axes[0], cols):
            panel(ax, col)
        fig.suptitle(f"{task}: base (grey) vs fine-tuned; * p < 0.05 vs base", fontsize=10)
        fig.tight_layout()
        path = out_dir / f"{task}.png"
        with atomic_write(path, "wb") as fh:
            fig.savefig(fh, dpi=110, format="png")
        plt.close(fig)
        written.append(path)
    if board.columns:
        n = len(board.columns)
        ncols = min(4, n)
        nrows = math.ceil(n / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, 3.4 * nrows), squeeze=False)
        for ax, col in zip(axes.flat, board.columns):
            panel(ax, col)
            ax.set_title(f"{col['task']}\n{col['metric']} ({col['filter']})", fontsize=8)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        fig.tight_layout()
        path = out_dir / "overview.png"
        with atomic_write(path, "wb") as fh:
            fig.savefig(fh, dpi=110, format="png")
        plt.close(fig)
        written.append(path)
    return written
