"""The held-out Claire experiment (``cec-eval distill experiment``): GSM8K *train* -> Claire traces
-> LoRA SFT (preset ``claire``) -> base vs Claire on GSM8K *test* and Climate-FEVER through the
leaderboard, with a paired test and a bootstrap CI per metric. docs/claire_experiment.md has the
numbers and the command.

Teacher: offline by default (:mod:`cec_eval.distill.gsm8k_claire` turns each worked solution into
a Claire trace); any OpenAI-compatible server when ``backend="openai"`` (the traces are then gold
filtered). Training sees GSM8K train only; evaluation uses the first ``eval_items`` GSM8K test
problems (``gsm8k_causal`` reads the test file in order) and the first ``cf_items`` Climate-FEVER
claims, none of which is in any training set of this experiment.

Output folder::

    traces.jsonl, data/{train,eval}.jsonl, data/report.json     teacher + formatting
    model/adapter, model/metrics.json                           SFT (train_runtime_s, loss curve)
    leaderboard/                                                the leaderboard's files (cached)
    experiment.json, experiment.md                              every number below
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any, Sequence

from cec_eval.errors import InputError
from cec_eval.io import atomic_write_text

#: The full run's sizes: what `cec-eval distill experiment -o DIR` runs, and what
#: docs/claire_experiment.md reports. 128 GSM8K train items (115 trained, 13 held out for the eval
#: loss: 8 optimizer steps of 16): SFT measured 7.8 s per example on one core (125 s per step),
#: ~17 min, leaving the rest of a 2-core session for the evaluation, which costs more (2 checkpoints
#: x 260 items x up to 384 generated tokens). ≥ 200 GSM8K test items as the issue asks; 60
#: Climate-FEVER claims; 384 tokens (the 99th percentile of a Claire trace is ~550 tokens with the
#: prompt, ~300 without); generation batch 8 (batch 1 is ~3x slower on one core).
FULL_TRAIN_ITEMS = 128
FULL_EVAL_ITEMS = 200
FULL_CF_ITEMS = 60
FULL_MAX_GEN_TOKS = 384
FULL_EVAL_BATCH_SIZE = 8
#: SFT settings the experiment adds to preset ``claire`` (everything else is the preset's, max_length
#: 1024 included: chat-formatted prompt + trace is 413 SmolLM2 tokens on average over GSM8K train,
#: 913 at most, and 14.6% exceed 512, so a shorter cut would train on traces without their answer).
SFT_OVERRIDES = {"save_steps": 5}
#: ``--smoke``: 8 items, 2 optimizer steps of 2 examples truncated to 256 tokens, 4 + 4 eval items,
#: 32 generated tokens: the whole chain in the test suite, not a measurement of anything.
SMOKE = {"train_items": 8, "eval_items": 4, "cf_items": 4, "max_gen_toks": 32,
         "overrides": {"max_steps": 2, "gradient_accumulation_steps": 1, "per_device_train_batch_size": 2,
                       "max_length": 256, "save_steps": 2}}
TASKS = ("gsm8k_causal", "climate_fever_cec")
METRICS = ("format_compliance", "exact_match", "acc", "cec_sym")


def build_items(n: int, seed: int = 0) -> list[dict]:
    """``n`` GSM8K *train* items (seeded shuffle of all 7,473), each with the offline Claire trace
    of :func:`cec_eval.distill.gsm8k_claire.to_claire` as its ``rationale``."""
    from cec_eval.resources import read_jsonl

    from .gsm8k_claire import to_claire
    from .sources import load_items

    if n < 1:
        raise InputError(f"--train-items: must be at least 1, got {n}")
    raw = list(read_jsonl("gsm8k_train"))
    items = load_items("gsm8k", split="train", seed=seed, limit=n)
    for it in items:
        it["rationale"] = to_claire(raw[int(it["id"].split(":")[1])]["answer"])
        it["teacher_format"] = "gsm8k_claire"
    return items


def seconds_per_example(sft_metrics: dict[str, Any], settings: dict[str, Any]) -> float:
    """Measured SFT wall time per training example: ``train_runtime_s / (steps × batch × accumulation)``."""
    steps = max(1, int(sft_metrics.get("global_steps") or settings.get("max_steps") or 1))
    per_step = int(settings["per_device_train_batch_size"]) * int(settings["gradient_accumulation_steps"])
    return float(sft_metrics["train_runtime_s"]) / (steps * per_step)


def size_for_budget(sec_per_example: float, budget_s: float = 3600.0, safety: float = 0.75,
                    examples_per_step: int = 16) -> int:
    """Training items for one epoch within ``budget_s`` at ``safety`` × the budget (the machine is
    shared: load varies), rounded down to whole optimizer steps of ``examples_per_step``."""
    if sec_per_example <= 0:
        raise InputError("seconds per example must be positive")
    n = int(budget_s * safety / sec_per_example)
    return max(examples_per_step, n - n % examples_per_step)


def _paired_stats(base: dict[str, float], claire: dict[str, float]) -> dict[str, Any]:
    """Means, delta (Claire − base) with its 95% bootstrap CI over paired items, and the
    leaderboard's paired test (Wilcoxon signed-rank)."""
    from cec_eval.leaderboard import paired_significance
    from cec_eval.stats import bootstrap_ci

    docs = sorted(set(base) & set(claire), key=lambda d: (len(d), d))
    out: dict[str, Any] = {"n": len(docs)}
    if not docs:
        return out
    a, b = [base[d] for d in docs], [claire[d] for d in docs]
    for name, vals in (("base", a), ("claire", b)):
        e = bootstrap_ci(vals)
        out[name] = {"mean": e.estimate, "ci95": [e.low, e.high]}
    d = bootstrap_ci([y - x for x, y in zip(a, b)])
    sig = paired_significance(dict(zip(docs, a)), dict(zip(docs, b)))
    out["delta"] = {"mean": d.estimate, "ci95": [d.low, d.high], "pvalue": sig.get("pvalue"),
                    "test": sig.get("test"), "ttest_pvalue": sig.get("ttest_pvalue")}
    return out


def compare(status: dict, tasks: Sequence[str], base: str = "base", claire: str = "claire",
            metrics: Sequence[str] = METRICS) -> list[dict]:
    """One row per (task, metric, filter) both checkpoints have, from the leaderboard's cached
    ``scores.json`` files (``status`` as returned in ``leaderboard.json``)."""
    from cec_eval.leaderboard import columns_for

    rows = []
    for task in tasks:
        ent = {}
        for cp in (base, claire):
            st = status.get(cp, {}).get(task, {})
            if "dir" not in st:
                raise InputError(f"checkpoint {cp!r} task {task!r} has no result: {st.get('error', 'not run')}")
            ent[cp] = json.loads((Path(st["dir"]) / "scores.json").read_text(encoding="utf-8"))
        for metric, filt in columns_for(task, ent[base], metrics):
            theirs, mine = ent[base][filt][metric], ent[claire].get(filt, {}).get(metric, {})
            rows.append({"task": task, "metric": metric, "filter": filt, **_paired_stats(theirs, mine)})
    return rows


def _stored_sft_call(out: Path, cpu_s: float, wall_s: float) -> tuple[float, float]:
    """(CPU s, wall s) of the ``sft.train`` call recorded in an earlier ``experiment.json``; the
    given values when there is none."""
    try:
        old = json.loads((out / "experiment.json").read_text(encoding="utf-8"))["sft"]
        return float(old["sft_call_cpu_s"]), float(old["sft_call_wall_s"])
    except (OSError, ValueError, KeyError, TypeError):
        return cpu_s, wall_s


def _fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.3f}"


def markdown(rows: list[dict]) -> str:
    """The results table: base and Claire means with 95% CIs, delta with CI and p."""
    lines = ["| task | metric | filter | n | base [95% CI] | Claire [95% CI] | Δ (Claire − base) [95% CI] | p (Wilcoxon) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "delta" not in r:
            lines.append(f"| {r['task']} | {r['metric']} | {r['filter']} | 0 | — | — | — | — |")
            continue
        b, c, d = r["base"], r["claire"], r["delta"]
        ci = lambda e: f"{_fmt(e['mean'])} [{_fmt(e['ci95'][0])}, {_fmt(e['ci95'][1])}]"  # noqa: E731
        lines.append(f"| {r['task']} | {r['metric']} | {r['filter']} | {r['n']} | {ci(b)} | {ci(c)} | {ci(d)} | "
                     f"{_fmt(d['pvalue'])} |")
    return "\n".join(lines) + "\n"


def prepare_data(out: Path, train_items: int, seed: int, base_model: str, backend: str = "dataset",
                 client: Any = None, teacher_params: dict[str, Any] | None = None
                 ) -> tuple[list[dict], list[dict], list[dict], dict[str, Any], dict[str, Any]]:
    """Teacher + formatting: writes ``traces.jsonl``, ``data/{train,eval}.jsonl`` and
    ``data/report.json`` under ``out``; returns (traces, train rows, eval rows, teacher summary,
    format report). 10% of the traces (seeded) are held out for the eval loss when there are ≥ 20."""
    from transformers import AutoTokenizer

    from .filters import gold_filter
    from .formatting import format_rows
    from .records import write_json, write_jsonl
    from .teacher import run_teacher

    items = build_items(train_items, seed)
    traces, tsum = run_teacher(items, backend, client=client, params=teacher_params)
    if backend != "dataset":
        traces, fsum = gold_filter(traces)
        tsum["gold_filter"] = fsum
    if not traces:
        raise InputError(f"teacher {backend!r} produced no usable trace for {len(items)} items")
    write_jsonl(traces, out / "traces.jsonl")
    tok = AutoTokenizer.from_pretrained(base_model)
    # SmolLM2's tokenizer has <|im_start|>, but lm-eval decodes with skip_special_tokens, which would
    # delete Qwen-token markers from the student's output; the XML tags survive decoding.
    eval_fraction = 0.1 if len(traces) >= 20 else 0.0
    train, eval_, report = format_rows(traces, chat=True, token_map="none", eval_fraction=eval_fraction, seed=seed,
                                       tokenizer=tok)
    (out / "data").mkdir(exist_ok=True)
    write_jsonl(train, out / "data" / "train.jsonl")
    if eval_:
        write_jsonl(eval_, out / "data" / "eval.jsonl")
    write_json(report, out / "data" / "report.json")
    return traces, train, eval_, tsum, report


def run_experiment(output: str | Path, train_items: int = FULL_TRAIN_ITEMS, eval_items: int = FULL_EVAL_ITEMS,
                   cf_items: int = FULL_CF_ITEMS, max_gen_toks: int = FULL_MAX_GEN_TOKS, seed: int = 0,
                   overrides: dict[str, Any] | None = None, backend: str = "dataset", client: Any = None,
                   teacher_params: dict[str, Any] | None = None, base_model: str | None = None,
                   threads: int | None = 1, batch_size: int | None = None, tasks: Sequence[str] = TASKS
                   ) -> dict[str, Any]:
    """Runs the whole experiment into ``output`` and returns the summary written to
    ``experiment.json`` (also ``experiment.md``). Re-running reuses a finished adapter as it is (an
    interrupted SFT resumes from its last checkpoint) and the leaderboard's cached evaluations, so
    a finished experiment re-run evaluates nothing again.

    Raises :class:`InputError` on bad sizes, a teacher that answered nothing, or a failed evaluation."""
    from cec_eval import leaderboard as lb
    from cec_eval.resources import smollm2_model_dir

    from . import sft
    from .records import write_json

    for name, v in (("--train-items", train_items), ("--eval-items", eval_items), ("--cf-items", cf_items),
                    ("--max-gen-toks", max_gen_toks)):
        if v < 1:
            raise InputError(f"{name}: must be at least 1, got {v}")
    overrides = {**SFT_OVERRIDES, **(overrides or {})}
    settings = sft.resolve_settings("claire", overrides)  # a bad override fails before any work
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    base_model = base_model or smollm2_model_dir()
    summary: dict[str, Any] = {"command_args": {"train_items": train_items, "eval_items": eval_items,
                                                "cf_items": cf_items, "max_gen_toks": max_gen_toks, "seed": seed,
                                                "overrides": overrides, "backend": backend},
                               "base_model": base_model, "settings": settings.to_dict()}
    t0 = time.time()
    traces, train, eval_, tsum, report = prepare_data(out, train_items, seed, base_model, backend, client,
                                                      teacher_params)
    summary["teacher"] = {k: v for k, v in tsum.items() if k != "truncated_rows"}
    summary["data"] = {"train": len(train), "eval": len(eval_), "first_train_ids": [t["id"] for t in traces][:5],
                       "format_compliance": report.get("format_compliance")}
    cpu0, wall0 = time.process_time(), time.time()
    res = sft.train(train, out / "model", base_model=base_model, eval_data=eval_ or None, preset="claire",
                    overrides=overrides, merge=False)
    cpu_s, wall_s = time.process_time() - cpu0, time.time() - wall0
    sft_metrics = {k: v for k, v in res.items() if k not in ("settings", "loss_curve")}
    if res.get("reused"):  # the SFT call's own timings are those of the run that trained
        cpu_s, wall_s = _stored_sft_call(out, cpu_s, wall_s)
    per_ex = seconds_per_example(res, res.get("settings", settings.to_dict()))
    # CPU seconds of the whole sft.train call (model load and saving included) per example: what a
    # dedicated core would take; the wall time above depends on how busy the machine is.
    cpu_per_ex = seconds_per_example({"train_runtime_s": cpu_s, "global_steps": res.get("global_steps")},
                                     res.get("settings", settings.to_dict()))
    summary["sft"] = sft_metrics | {"loss_curve": res.get("loss_curve"), "sft_call_wall_s": round(wall_s, 1),
                                    "sft_call_cpu_s": round(cpu_s, 1),
                                    "seconds_per_example": round(per_ex, 3),
                                    "cpu_seconds_per_example": round(cpu_per_ex, 3),
                                    "seconds_per_claire_step": round(per_ex * 16, 1),
                                    # a run that trained nothing (resumed at its last step) has no time to size from
                                    "items_for_60min_at_measured_wall": size_for_budget(per_ex) if per_ex > 0 else None,
                                    "items_for_60min_at_measured_cpu": size_for_budget(cpu_per_ex) if cpu_per_ex > 0 else None}
    summary["sft_wall_s"] = round(time.time() - t0, 1)

    adapter = str(out / "model" / "adapter")
    cps = [lb.Checkpoint("base", "hf", {"pretrained": base_model}),
           lb.Checkpoint("claire", "hf", {"pretrained": base_model, "peft": adapter}, base="base")]
    t1 = time.time()
    for task, limit in (("gsm8k_causal", eval_items), ("climate_fever_cec", cf_items)):
        if task not in tasks:
            continue
        config = lb.EvalConfig(limit=limit, gen_kwargs={"max_gen_toks": max_gen_toks}, threads=threads,
                               batch_size=batch_size)
        board = lb.run_leaderboard(cps, [task], out / "leaderboard" / task, config, plots=False)
        if board.errors:
            raise InputError(f"evaluation failed: {board.errors[0]}")
        status = json.loads((out / "leaderboard" / task / "leaderboard.json").read_text())["status"]
        summary.setdefault("results", []).extend(compare(status, [task]))
    summary["eval_wall_s"] = round(time.time() - t1, 1)
    summary["held_out"] = {"gsm8k_test_items": f"first {eval_items} of gsm8k test (never in training)",
                           "climate_fever_claims": f"first {cf_items} claims; training used GSM8K only, so no claim"
                                                   " was seen in training"}
    write_json(summary, out / "experiment.json")
    atomic_write_text(out / "experiment.md", markdown(summary.get("results", [])))
    return summary
