"""Table 1 and §4.3 of seed 000 for any systems: every metric on every system, a bootstrap 95% CI
per cell, the paired tests between two metrics on the same explanations (CEC vs BERTScore), the
paired system-vs-baseline tests per metric (sacrebleu's paired bootstrap and approximate
randomisation), and a PNG of the per-item score distributions.

>>> cmp = compare_systems(refs, {"phi-2": outs_a, "gemma-2b": outs_b})   # doctest: +SKIP
>>> print(cmp.to_markdown())                                            # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from . import stats
from .errors import InputError
from .inputs import NO_ROWS, EmptyPredictionWarning, check_pairs, empty_note, empty_rows
from .metrics import LABELS, MetricResult, get_metric, parse_metrics


@dataclass
class Comparison:
    """Everything ``cec-eval compare`` reports; see :func:`compare_systems`."""

    systems: list[str]
    metrics: list[str]
    results: dict[str, dict[str, MetricResult]]
    cells: dict[str, dict[str, stats.Estimate]]
    metric_tests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    system_tests: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    baseline: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    #: per system, the rows whose prediction is empty (scored 0 by every metric; flagged in the views)
    empty: dict[str, list[int]] = field(default_factory=dict)

    # -- views ---------------------------------------------------------------------------------
    def signatures(self) -> dict[str, str]:
        first = self.results[self.systems[0]]
        return {m: first[m].signature for m in self.metrics}

    def flagged(self) -> dict[str, str]:
        """One line per system with empty predictions (the metrics' own per-metric notes about
        them are folded into it)."""
        out = {}
        for s in self.systems:
            rows = self.empty.get(s) or []
            if rows:
                n = len(self.results[s][self.metrics[0]].scores)
                shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
                out[s] = f"system {s!r}: {len(rows)} of {n} predictions are empty (rows {shown}); every metric scores them 0"
        return out

    def notes(self) -> list[str]:
        seen: list[str] = list(self.flagged().values())
        for s, sysres in self.results.items():
            for r in sysres.values():
                folded = empty_note(r.label, r.empty_predictions, len(r.scores)) if r.empty_predictions else None
                for note in r.notes:
                    if note != folded and note not in seen:
                        seen.append(note)
        return seen

    def to_dict(self, details: bool = True) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "systems": self.systems,
            "metrics": self.metrics,
            "signatures": self.signatures(),
            "table": {
                s: {
                    m: {
                        **self.cells[s][m].to_dict(),
                        "corpus": self.results[s][m].corpus,
                    }
                    for m in self.metrics
                }
                for s in self.systems
            },
            "metric_tests": self.metric_tests,
            "baseline": self.baseline,
            "system_tests": self.system_tests,
            "notes": self.notes(),
            "empty_predictions": {s: list(self.empty.get(s, [])) for s in self.systems},
            "scores": {s: {m: self.results[s][m].scores for m in self.metrics} for s in self.systems} if details else None,
        }

    def to_csv(self) -> str:
        """Table 1, wide: one row per system; for each metric its mean and 95% CI bounds."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        head = ["Model"]
        for m in self.metrics:
            head += [LABELS[m], f"{LABELS[m]} ci_low", f"{LABELS[m]} ci_high"]
        head += ["n", "empty"]
        w.writerow(head)
        for s in self.systems:
            row: list[Any] = [s]
            for m in self.metrics:
                c = self.cells[s][m]
                row += [_num(c.estimate), _num(c.low), _num(c.high)]
            row += [len(self.results[s][self.metrics[0]].scores), len(self.empty.get(s, []))]
            w.writerow(row)
        return buf.getvalue()

    def to_markdown(self, digits: int = 3) -> str:
        conf = int(round(self.settings.get("confidence", 0.95) * 100))
        lines = [
            f"## Comparison of systems across evaluation metrics (mean [{conf}% bootstrap CI])",
            "",
            "| Model | " + " | ".join(LABELS[m] for m in self.metrics) + " |",
            "|---" * (len(self.metrics) + 1) + "|",
        ]
        best = {m: max(self.systems, key=lambda s: self.cells[s][m].estimate or float("-inf")) for m in self.metrics}
        for s in self.systems:
            cells = []
            for m in self.metrics:
                text = self.cells[s][m].format(digits)
                cells.append(f"**{text}**" if len(self.systems) > 1 and best[m] == s else text)
            mark = " †" if self.empty.get(s) else ""
            lines.append(f"| {s}{mark} | " + " | ".join(cells) + " |")
        n = len(self.results[self.systems[0]][self.metrics[0]].scores)
        lines += ["", f"n = {n} items per system; bold = highest mean. "
                  f"CI: {self.settings.get('n_resamples')} percentile bootstrap resamples over items, seed {self.settings.get('seed')}."]
        for line in self.flagged().values():
            lines.append(f"† {line}.")
        if "bleu" in self.metrics:
            corp = ", ".join(
                f"{s} {self.results[s]['bleu'].corpus:.{digits}f}" for s in self.systems if self.results[s]["bleu"].corpus is not None
            )
            if corp:
                lines.append(f"Corpus BLEU (sacrebleu, one score over all n-grams): {corp}.")
        lines += ["", "### Signatures", ""]
        lines += [f"- {LABELS[m]}: `{sig}`" for m, sig in self.signatures().items()]
        flagged = set(self.flagged().values())
        for note in (n for n in self.notes() if n not in flagged):
            lines += ["", f"> **Warning:** {note}"]
        if self.metric_tests:
            lines += ["", "### Metric vs metric on the same explanations (§4.3)", ""]
            for s, tests in self.metric_tests.items():
                for t in tests:
                    lines.append(f"- **{s}**: {t['summary']}")
            lines.append("")
            lines.append(
                f"Sample: {_sample_text(self.settings.get('sample'), n)} (seed {self.settings.get('seed')}); paired t-test and "
                "Wilcoxon signed-rank (scipy, two-sided); d_z = mean(diff)/sd(diff), d_av = mean(diff)/mean(sd), "
                "d_rm = d_z·sqrt(2(1−r))."
            )
        if self.system_tests:
            lines += [
                "",
                f"### Systems vs baseline `{self.baseline}` (paired bootstrap / approximate randomisation, as sacrebleu)",
                "",
                "| Metric | System | Δ mean | p (paired-bs) | p (paired-ar) | t-test p | Wilcoxon p |",
                "|---|---|---|---|---|---|---|",
            ]
            for m, per_sys in self.system_tests.items():
                for s, t in per_sys.items():
                    lines.append(
                        f"| {LABELS[m]} | {s} | {t['delta']:+.{digits}f} | {_p(t['paired_bs']['pvalue'])} | "
                        f"{_p(t['paired_ar']['pvalue'])} | {_p(t['ttest']['pvalue'])} | {_p(t['wilcoxon']['pvalue'])} |"
                    )
            bs = self.settings.get("paired_bs_resamples")
            ar = self.settings.get("paired_ar_trials")
            lines += ["", f"paired-bs: {bs} resamples, paired-ar: {ar} trials, seed {self.settings.get('test_seed')}; "
                      "system score = mean item score; p = (c+1)/(N+1). * p < 0.05."]
        return "\n".join(lines) + "\n"

    def plot(self, path: str | Path) -> Path:
        """Box plots of the per-item scores: one panel per metric, one box per system (Agg)."""
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt

        k = len(self.metrics)
        ncols = min(4, k)
        nrows = (k + ncols - 1) // ncols
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols + 0.5, 3.0 * nrows + 0.4), squeeze=False)
        for ax, m in zip(axes.flat, self.metrics):
            data = [self.results[s][m].scores for s in self.systems]
            ax.boxplot(data, showmeans=True, tick_labels=self.systems)
            ax.set_title(LABELS[m])
            ax.set_ylim(-0.02, 1.02)
            ax.tick_params(axis="x", labelrotation=30 if len(self.systems) > 2 else 0, labelsize=8)
            ax.grid(axis="y", alpha=0.3)
        for ax in list(axes.flat)[k:]:
            ax.set_visible(False)
        n = len(self.results[self.systems[0]][self.metrics[0]].scores)
        fig.suptitle(f"Per-item scores ({n} items; box = quartiles, ▲ = mean)")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        from .io import atomic_write

        with atomic_write(path, "wb") as fh:
            fig.savefig(fh, dpi=110, format=Path(path).suffix.lstrip(".") or "png")
        plt.close(fig)
        return path


def _sample_text(sample: Any, n: int) -> str:
    if sample in (None, "all") or int(sample) >= n:
        return f"all {n} pairs"
    return f"{sample} of {n} pairs, drawn at random"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.6f}"


def _p(p: float | None) -> str:
    if p is None:
        return "undefined"
    text = "<0.001" if p < 0.001 else f"{p:.3f}"
    return text + ("*" if p < 0.05 else "")


def check_systems(references: Sequence[Any], systems: dict[str, Sequence[Any]]) -> None:
    """Every system pairs up with the references row by row, by the input contract
    (:func:`cec_eval.inputs.check_pairs`, so errors come in the same order with the same words);
    an error about a system's predictions names the system."""
    if not systems:
        raise InputError("no systems to compare")
    for name, outs in systems.items():
        try:
            check_pairs(outs, references)
        except InputError as e:
            if str(e).startswith(("references", NO_ROWS)):
                raise  # the references' fault, the same for every system
            raise InputError(f"system {name!r}: {e}") from None


def compare_systems(
    references: Sequence[Any],
    systems: dict[str, Sequence[str]],
    metrics: str | Sequence[str] | None = None,
    metric_options: dict[str, dict[str, Any]] | None = None,
    *,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
    sample: int | None = 100,
    metric_pairs: Sequence[tuple[str, str]] = (("cec", "bertscore"),),
    baseline: str | None = None,
    paired_bs_resamples: int = 1000,
    paired_ar_trials: int = 10000,
    test_seed: int = 12345,
    progress: bool | None = None,
) -> Comparison:
    """Score every system with every metric and run the statistics.

    ``metric_pairs``: (a, b) metric pairs compared on the same explanations per system with the
    §4.3 tests on a seeded sample of ``sample`` pairs (None: all). ``baseline``: the system the
    others are tested against per metric (default: the first; none with a single system)."""
    from tqdm.auto import tqdm

    names = parse_metrics(metrics)
    check_systems(references, systems)
    metric_options = metric_options or {}
    system_names = list(systems)
    if baseline is not None and baseline not in systems:
        raise InputError(f"baseline {baseline!r} is not one of the systems {system_names}")
    results: dict[str, dict[str, MetricResult]] = {s: {} for s in system_names}
    bar = tqdm(total=len(names) * len(system_names), desc="scoring", unit="metric", disable=progress is False, leave=False)
    for m in names:
        metric = get_metric(m, **metric_options.get(m, {}))
        for s in system_names:
            bar.set_postfix_str(f"{m} / {s}")
            try:
                with warnings.catch_warnings():  # folded into one flagged line per system
                    warnings.simplefilter("ignore", EmptyPredictionWarning)
                    results[s][m] = metric.score(list(systems[s]), list(references))
            except InputError as e:
                raise InputError(f"system {s!r}: {e}") from None
            bar.update()
    bar.close()

    cells = {
        s: {m: stats.bootstrap_ci(results[s][m].scores, confidence=confidence, n_resamples=n_resamples, seed=seed) for m in names}
        for s in system_names
    }
    metric_tests: dict[str, list[dict[str, Any]]] = {}
    for a, b in metric_pairs:
        if a in names and b in names:
            for s in system_names:
                metric_tests.setdefault(s, []).append(
                    stats.compare_paired(results[s][a].scores, results[s][b].scores, (LABELS[a], LABELS[b]), n=sample, seed=seed)
                )
    system_tests: dict[str, dict[str, dict[str, Any]]] = {}
    if len(system_names) > 1:
        baseline = baseline or system_names[0]
        for m in names:
            bl = results[baseline][m].scores
            for s in system_names:
                if s == baseline:
                    continue
                sc = results[s][m].scores
                system_tests.setdefault(m, {})[s] = {
                    "delta": stats.as_array(sc).mean() - stats.as_array(bl).mean(),
                    "paired_bs": stats.paired_bootstrap(bl, sc, paired_bs_resamples, test_seed).to_dict(),
                    "paired_ar": stats.paired_randomization(bl, sc, paired_ar_trials, test_seed).to_dict(),
                    "ttest": stats.paired_ttest(sc, bl, (s, baseline)).to_dict(),
                    "wilcoxon": stats.wilcoxon(sc, bl, (s, baseline)).to_dict(),
                    "cohens_d": stats.cohens_d_paired(sc, bl, (s, baseline)),
                }
                system_tests[m][s]["delta"] = float(system_tests[m][s]["delta"])
    else:
        baseline = None
    settings = {
        "confidence": confidence,
        "n_resamples": n_resamples,
        "seed": seed,
        "sample": sample if sample else "all",
        "metric_pairs": [list(p) for p in metric_pairs],
        "paired_bs_resamples": paired_bs_resamples,
        "paired_ar_trials": paired_ar_trials,
        "test_seed": test_seed,
    }
    empty = {s: empty_rows(systems[s]) for s in system_names}
    return Comparison(system_names, names, results, cells, metric_tests, system_tests, baseline, settings, empty)
