"""How well does each metric agree with people? Kendall τ-b, Spearman ρ and Pearson r between each
metric's per-item scores and human ratings, pooled over all items and averaged within groups
(e.g. several explanations of one question), with bootstrap CIs that resample *groups*.

Seed 000 claims CEC "correlates more consistently with human-judged explanation quality than
existing metrics" without measuring it; this measures it on anyone's ratings. COPA-SSE (shipped)
has 6.5k crowd explanations of 1,000 COPA questions, each rated by several workers; scoring each
explanation against the *other* explanations of its question gives a ready test bed
(:func:`copa_sse_items`). Two more rated sets ship for development where raters mark *longer*
explanations down (Wiegreffe et al., 2022, train split: :func:`wiegreffe_items`); every shipped set
is listed in :data:`RATED_DATASETS` and loaded with :func:`rated_items`.
"""
from __future__ import annotations

import csv
import io
import math
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from .errors import InputError
from .metrics import LABELS, parse_metrics
from .stats import Estimate

METHODS = ("kendall", "spearman", "pearson")
METHOD_LABELS = {"kendall": "Kendall τ-b", "spearman": "Spearman ρ", "pearson": "Pearson r"}


def _corr_fn(method: str) -> Callable[[np.ndarray, np.ndarray], Any]:
    from scipy import stats

    if method == "kendall":
        return lambda x, y: stats.kendalltau(x, y, variant="b")
    if method == "spearman":
        return stats.spearmanr
    if method == "pearson":
        return stats.pearsonr
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def correlation(x: Sequence[float], y: Sequence[float], method: str) -> tuple[float | None, float | None, str | None]:
    """(coefficient, p-value, reason): None and a reason where the coefficient is undefined
    (fewer than 3 items, a constant column) instead of scipy's NaN."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3:
        return None, None, "fewer than 3 items"
    if np.ptp(y) == 0:
        return None, None, "constant ratings"
    if np.ptp(x) == 0:
        return None, None, "constant metric scores"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _corr_fn(method)(x, y)
    stat, p = float(res.statistic), float(res.pvalue)
    if not math.isfinite(stat):
        return None, None, "undefined for these values"
    return stat, (p if math.isfinite(p) else None), None


def _group_bootstrap(
    n_groups: int, statistic: Callable[[np.ndarray], float], n_resamples: int, seed: int, confidence: float
) -> tuple[float | None, float | None, int]:
    """Percentile CI of ``statistic(group indices)`` over group resamples (scipy.stats.bootstrap).
    Resamples where the statistic is undefined are dropped and counted."""
    from scipy import stats

    if n_groups < 2:
        return None, None, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = stats.bootstrap(
            (np.arange(n_groups),),
            lambda idx: statistic(idx.astype(int)),
            n_resamples=n_resamples,
            confidence_level=confidence,
            method="percentile",
            vectorized=False,
            rng=np.random.default_rng(seed),
        )
    dist = np.asarray(res.bootstrap_distribution, dtype=float)
    ok = dist[np.isfinite(dist)]
    if len(ok) < max(10, n_resamples // 2):
        return None, None, int(len(dist) - len(ok))
    alpha = (1 - confidence) / 2
    return float(np.quantile(ok, alpha)), float(np.quantile(ok, 1 - alpha)), int(len(dist) - len(ok))


@dataclass
class Correlation:
    """One metric × method: pooled and within-group-averaged coefficients with CIs."""

    metric: str
    method: str
    pooled: Estimate
    pooled_p: float | None
    within: Estimate
    groups_used: int = 0
    groups_undefined: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "method": self.method,
            "pooled": self.pooled.to_dict(),
            "pooled_p": self.pooled_p,
            "within": self.within.to_dict(),
            "groups_used": self.groups_used,
            "groups_undefined": self.groups_undefined,
        }


@dataclass
class CorrelationReport:
    metrics: list[str]
    results: dict[str, dict[str, Correlation]]  # metric -> method -> Correlation
    n_items: int
    n_groups: int
    grouped: bool
    signatures: dict[str, str]
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    reference: str | None = None
    differences: dict[str, dict[str, Any]] = field(default_factory=dict)

    def label(self, m: str) -> str:
        return LABELS.get(m, m)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_items": self.n_items,
            "n_groups": self.n_groups,
            "grouped": self.grouped,
            "settings": self.settings,
            "signatures": self.signatures,
            "notes": self.notes,
            "correlations": {m: {k: c.to_dict() for k, c in per.items()} for m, per in self.results.items()},
            "reference_metric": self.reference,
            "kendall_difference_from_reference": self.differences,
        }

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["metric", "method", "pooled", "pooled_low", "pooled_high", "pooled_p", "within", "within_low", "within_high", "groups_used"])
        for m in self.metrics:
            for k in METHODS:
                c = self.results[m][k]
                w.writerow([
                    self.label(m), k, _n(c.pooled.estimate), _n(c.pooled.low), _n(c.pooled.high), _n(c.pooled_p),
                    _n(c.within.estimate), _n(c.within.low), _n(c.within.high), c.groups_used,
                ])
        return buf.getvalue()

    def to_markdown(self, digits: int = 3) -> str:
        conf = int(round(self.settings.get("confidence", 0.95) * 100))
        over = "groups" if self.grouped else "items"
        lines = [
            f"## Agreement of each metric with human ratings (coefficient [{conf}% bootstrap CI over {over}])",
            "",
            f"n = {self.n_items} items" + (f" in {self.n_groups} groups" if self.grouped else ""),
            "",
        ]
        head = ["Metric"] + [f"{METHOD_LABELS[k]} pooled" for k in METHODS]
        if self.grouped:
            head += [f"{METHOD_LABELS[k]} within-group" for k in METHODS]
        lines += ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
        for m in self.metrics:
            row = [self.label(m)] + [self.results[m][k].pooled.format(digits) for k in METHODS]
            if self.grouped:
                row += [self.results[m][k].within.format(digits) for k in METHODS]
            lines.append("| " + " | ".join(row) + " |")
        if self.grouped:
            skipped = "; ".join(
                f"{self.label(m)}: " + ", ".join(f"{v} {k}" for k, v in self.results[m]["kendall"].groups_undefined.items())
                for m in self.metrics
                if self.results[m]["kendall"].groups_undefined
            ) or "none"
            lines += ["", f"Within-group: the coefficient inside each group, averaged over the groups where it is defined "
                      f"(groups where it is undefined, Kendall: {skipped})."]
            key = "within"
        else:
            key = "pooled"
        ranking = sorted(
            (m for m in self.metrics if getattr(self.results[m]["kendall"], key).estimate is not None),
            key=lambda m: -getattr(self.results[m]["kendall"], key).estimate,
        )
        lines += ["", f"Ranking by {key} Kendall τ-b: " + " > ".join(self.label(m) for m in ranking)]
        if self.differences:
            ref = self.label(self.reference or "")
            lines += ["", f"### Kendall τ-b minus {ref}'s (paired bootstrap over the same resampled {over})", "",
                      "| Metric | pooled Δτ | within-group Δτ |", "|---|---|---|"]
            for m, d in self.differences.items():
                cells = [_fmt_est(d.get(k), digits) for k in ("pooled", "within")]
                lines.append(f"| {self.label(m)} | " + " | ".join(cells) + " |")
            lines += ["", f"A CI entirely above 0: the metric agrees with the ratings better than {ref} on these data."]
        lines += ["", "### Signatures", ""] + [f"- {self.label(m)}: `{s}`" for m, s in self.signatures.items()]
        for note in self.notes:
            lines += ["", f"> **Note:** {note}"]
        return "\n".join(lines) + "\n"


def _fmt_est(d: dict[str, Any] | None, digits: int) -> str:
    if not d:
        return "—"
    if d["estimate"] is None:
        return f"undefined ({d['reason']})"
    text = f"{d['estimate']:+.{digits}f}"
    if d["low"] is not None:
        text += f" [{d['low']:+.{digits}f}, {d['high']:+.{digits}f}]"
    return text


def _n(x: float | None) -> str:
    return "" if x is None else f"{x:.6f}"


def _ratings(values: Sequence[Any]) -> np.ndarray:
    out = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            raise InputError(f"ratings row {i}: not a number: {v!r:.60}") from None
        if not math.isfinite(out[i]):
            raise InputError(f"ratings row {i}: not a finite number: {v!r}")
    return out


def correlate_scores(
    ratings: Sequence[Any],
    scores: dict[str, Sequence[float]],
    groups: Sequence[Any] | None = None,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    signatures: dict[str, str] | None = None,
    reference_metric: str | None = "cec",
) -> CorrelationReport:
    """Correlations of already computed per-item ``scores`` ({metric: [score per item]}) with
    ``ratings``; ``groups`` (one key per item) turns on within-group averaging and group-level
    bootstrap (otherwise each item is its own group). ``reference_metric`` (default CEC, when
    scored): every other metric's Kendall τ-b minus its, with paired group-bootstrap CIs."""
    y = _ratings(ratings)
    n = len(y)
    if n == 0:
        raise InputError("no rated items")
    for m, s in scores.items():
        if len(s) != n:
            raise InputError(f"metric {m!r} has {len(s)} scores for {n} ratings")
    if groups is not None and len(groups) != n:
        raise InputError(f"{len(groups)} group keys for {n} ratings")
    grouped = groups is not None
    keys = list(groups) if grouped else list(range(n))
    order: dict[Any, list[int]] = {}
    for i, g in enumerate(keys):
        if g is None or (isinstance(g, str) and not g.strip()):
            raise InputError(f"group row {i}: empty group key")
        order.setdefault(g, []).append(i)
    members = [np.array(ix) for ix in order.values()]
    results: dict[str, dict[str, Correlation]] = {}
    per_group_tau: dict[str, np.ndarray] = {}  # metric -> within-group Kendall per group (NaN: undefined)
    for m, s in scores.items():
        x = np.asarray([float(v) for v in s])
        results[m] = {}
        for method in METHODS:
            stat, p, reason = correlation(x, y, method)

            def pooled_stat(idx: np.ndarray, x=x, method=method) -> float:
                sel = np.concatenate([members[i] for i in idx])
                v = correlation(x[sel], y[sel], method)[0]
                return float("nan") if v is None else v

            lo, hi, dropped = _group_bootstrap(len(members), pooled_stat, n_resamples, seed, confidence) if reason is None else (None, None, 0)
            pooled = Estimate(stat, lo, hi, confidence, n, "group-bootstrap-percentile" if grouped else "bootstrap-percentile", reason)
            within = Estimate(None, reason="no groups given", confidence=confidence)
            used, undefined = 0, {}
            if grouped:
                per_group = []
                why: Counter = Counter()
                all_groups = []
                for ix in members:
                    v, _, r = correlation(x[ix], y[ix], method)
                    all_groups.append(np.nan if v is None else v)
                    if v is None:
                        why[r] += 1
                    else:
                        per_group.append(v)
                if method == "kendall":
                    per_group_tau[m] = np.array(all_groups)
                vals = np.array(per_group)
                used, undefined = len(vals), dict(why)
                if len(vals) == 0:
                    within = Estimate(None, n=0, confidence=confidence, reason="undefined in every group")
                else:
                    wlo, whi, _ = _group_bootstrap(len(vals), lambda idx, v=vals: float(v[idx].mean()), n_resamples, seed, confidence)
                    within = Estimate(float(vals.mean()), wlo, whi, confidence, len(vals), "group-bootstrap-percentile")
            results[m][method] = Correlation(m, method, pooled, p, within, used, undefined)
    settings = {"n_resamples": n_resamples, "seed": seed, "confidence": confidence, "kendall_variant": "b"}
    report = CorrelationReport(list(scores), results, n, len(members), grouped, dict(signatures or {}), settings)
    if reference_metric is not None and reference_metric in scores and len(scores) > 1:
        report.reference = reference_metric
        ref_x = np.asarray([float(v) for v in scores[reference_metric]])
        for m, s in scores.items():
            if m == reference_metric:
                continue
            x = np.asarray([float(v) for v in s])
            report.differences[m] = _differences(x, ref_x, y, members, per_group_tau.get(m), per_group_tau.get(reference_metric),
                                                 n_resamples, seed, confidence)
    return report


def _differences(
    x: np.ndarray,
    ref_x: np.ndarray,
    y: np.ndarray,
    members: list[np.ndarray],
    tau_m: np.ndarray | None,
    tau_ref: np.ndarray | None,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> dict[str, Any]:
    """Kendall τ-b of a metric minus that of the reference metric, pooled and within-group, with a
    CI from the *same* resampled groups for both (a paired bootstrap over groups)."""
    out: dict[str, Any] = {}
    a, b = correlation(x, y, "kendall")[0], correlation(ref_x, y, "kendall")[0]
    if a is None or b is None:
        out["pooled"] = Estimate(None, confidence=confidence, reason="a pooled coefficient is undefined").to_dict()
    else:
        def pooled_diff(idx: np.ndarray) -> float:
            sel = np.concatenate([members[i] for i in idx])
            u, v = correlation(x[sel], y[sel], "kendall")[0], correlation(ref_x[sel], y[sel], "kendall")[0]
            return float("nan") if u is None or v is None else u - v

        lo, hi, _ = _group_bootstrap(len(members), pooled_diff, n_resamples, seed, confidence)
        out["pooled"] = Estimate(a - b, lo, hi, confidence, len(members), "paired-group-bootstrap-percentile").to_dict()
    if tau_m is not None and tau_ref is not None:
        both = np.isfinite(tau_m) & np.isfinite(tau_ref)
        d = (tau_m - tau_ref)[both]
        if len(d) == 0:
            out["within"] = Estimate(None, confidence=confidence, reason="no group where both are defined").to_dict()
        else:
            lo, hi, _ = _group_bootstrap(len(d), lambda idx: float(d[idx].mean()), n_resamples, seed, confidence)
            out["within"] = Estimate(float(d.mean()), lo, hi, confidence, int(len(d)), "paired-group-bootstrap-percentile").to_dict()
    return out


def correlate(
    predictions: Sequence[str],
    references: Sequence[Any],
    ratings: Sequence[Any],
    groups: Sequence[Any] | None = None,
    metrics: str | Sequence[str] | None = None,
    metric_options: dict[str, dict[str, Any]] | None = None,
    extra_scores: dict[str, Sequence[float]] | None = None,
    **kwargs: Any,
) -> CorrelationReport:
    """Score ``predictions`` against ``references`` with every metric, then
    :func:`correlate_scores`. ``extra_scores`` adds columns the user computed elsewhere."""
    from tqdm.auto import tqdm

    from .metrics import get_metric

    metric_options = metric_options or {}
    names = parse_metrics(metrics)
    if len(predictions) != len(ratings):
        raise InputError(f"{len(predictions)} explanations but {len(ratings)} ratings")
    scores: dict[str, list[float]] = {}
    signatures: dict[str, str] = {}
    notes: list[str] = []
    for m in tqdm(names, desc="scoring", unit="metric", leave=False, disable=kwargs.pop("progress", None) is False):
        res = get_metric(m, **metric_options.get(m, {})).score(predictions, references)
        scores[m], signatures[m] = res.scores, res.signature
        notes += [n for n in res.notes if n not in notes]
    for name, col in (extra_scores or {}).items():
        scores[name] = [float(v) for v in col]
        signatures[name] = "user-supplied column"
    report = correlate_scores(ratings, scores, groups, signatures=signatures, **kwargs)
    report.notes += notes
    return report


def copa_sse_items(limit_questions: int | None = None, rating: str = "filtered-avg-rating") -> dict[str, list[Any]]:
    """COPA-SSE dev as correlation data: each explanation (prediction) against the other
    explanations of its question (references), its mean crowd rating, and the question id as
    group. Questions with a single explanation have no reference and are left out."""
    from .resources import read_jsonl

    out: dict[str, list[Any]] = {"predictions": [], "references": [], "ratings": [], "groups": [], "ids": []}
    for q, row in enumerate(read_jsonl("copa_sse_dev")):
        if limit_questions is not None and q >= limit_questions:
            break
        expl = row["human-explanations"]
        if len(expl) < 2:
            continue
        for i, e in enumerate(expl):
            out["predictions"].append(e["text"])
            out["references"].append([o["text"] for j, o in enumerate(expl) if j != i])
            out["ratings"].append(float(e[rating]))
            out["groups"].append(row["id"])
            out["ids"].append(e["expl-id"])
    return out


#: Wiegreffe et al. (NAACL 2022) train-split acceptability sets, converted by
#: benchmarks/build_wiegreffe.py (see data/datasets/PROVENANCE.md)
WIEGREFFE_FILES = {"wiegreffe_cqa_train": "wiegreffe-cqa-train.jsonl.gz", "wiegreffe_snli_train": "wiegreffe-snli-train.jsonl.gz"}


def wiegreffe_items(name: str = "wiegreffe_cqa_train", limit_questions: int | None = None) -> dict[str, list[Any]]:
    """A Wiegreffe et al. (2022) train set as correlation data: each of an item's five GPT-3
    explanations (prediction) against the other four (references, leave-one-out; the few empty
    explanations are left out, and items with fewer than two non-empty ones), its
    acceptability (share of the item's three annotators who marked it acceptable, 0–1) as rating,
    and the item id as group. ``name`` is ``wiegreffe_cqa_train`` (991 CommonsenseQA questions) or
    ``wiegreffe_snli_train`` (1,000 SNLI pairs); an unknown name is a ValueError. A malformed row is
    an InputError naming the file, line and field."""
    import gzip
    import json

    from .resources import DATASETS_DIR

    if name not in WIEGREFFE_FILES:
        raise ValueError(f"unknown Wiegreffe set {name!r}; choose from {sorted(WIEGREFFE_FILES)}")
    path = DATASETS_DIR / WIEGREFFE_FILES[name]
    out: dict[str, list[Any]] = {"predictions": [], "references": [], "ratings": [], "groups": [], "ids": []}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if limit_questions is not None and line_no > limit_questions:
                break
            row = json.loads(line)
            expl, acc = row.get("explanations"), row.get("acceptability")
            for field_name, value in (("explanations", expl), ("acceptability", acc)):
                if not isinstance(value, list) or len(value) != 5:
                    raise InputError(f"{path}: line {line_no}: field {field_name!r} is not a list of 5")
            # GPT-3 returned a few empty explanations: they have a rating but nothing to score
            kept = [k for k, text in enumerate(expl) if isinstance(text, str) and text.strip()]
            if len(kept) < 2:
                continue
            for k in kept:
                out["predictions"].append(expl[k])
                out["references"].append([expl[j] for j in kept if j != k])
                out["ratings"].append(float(acc[k]))
                out["groups"].append(row["id"])
                out["ids"].append(f"{row['id']}#{k + 1}")
    return out


#: shipped rated datasets by name -> loader(limit_questions=None) returning the dict of
#: :func:`copa_sse_items` (predictions, references, ratings, groups, ids)
RATED_DATASETS: dict[str, Callable[..., dict[str, list[Any]]]] = {
    "copa_sse_dev": copa_sse_items,
    "wiegreffe_cqa_train": lambda limit_questions=None: wiegreffe_items("wiegreffe_cqa_train", limit_questions),
    "wiegreffe_snli_train": lambda limit_questions=None: wiegreffe_items("wiegreffe_snli_train", limit_questions),
}


def rated_items(name: str, limit_questions: int | None = None) -> dict[str, list[Any]]:
    """A shipped rated dataset (:data:`RATED_DATASETS`) as correlation data; ``limit_questions``
    keeps the first N questions/items. An unknown name is a ValueError listing the known ones."""
    if name not in RATED_DATASETS:
        raise ValueError(f"unknown rated dataset {name!r}; choose from {sorted(RATED_DATASETS)}")
    return RATED_DATASETS[name](limit_questions=limit_questions)
