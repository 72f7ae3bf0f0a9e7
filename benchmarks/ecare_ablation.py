"""Seed 003 in miniature on e-CARE: FT vs FT-CoT vs FT-MVC vs FT-CD-CoT vs FT-CD-MVC (one command).

Five LoRA students of SmolLM2-135M-Instruct (preset ``claire``, same seed, same number of optimiser
steps) are trained on five sets built from the same ``--train-items`` questions of the e-CARE
*train* split (:mod:`cec_eval.tasks.ecare`), then the base model and the five students are scored
on the first ``--test-items`` questions of the *test* split with ``ecare_causal_ll`` (choice by
log-likelihood) through the leaderboard's cached evaluator. The table gives accuracy with a 95%
bootstrap CI and each student's paired delta against FT (bootstrap CI of the per-item differences,
Wilcoxon signed-rank = sign test on 0/1 scores). docs/ecare_ablation.md has the design and numbers.

Training rows (user message = the ``ecare_causal_ll`` context; the chat template renders it at
training time as lm-eval does at evaluation, so the answer's log-likelihood is read where it was
trained). Every completion *starts with the answer*: the task reads the answer's log-likelihood
right after the question, so a rationale placed before the answer (seed 003's order) would train a
position the evaluation never reads. Rationales follow the answer:

* ``FT``: the answer.
* ``FT-CoT``: the answer, then ``Explanation:`` and the human conceptual explanation (offline CoT).
* ``FT-MVC``: two rows per question in seed 003 §3.4's two formats: a positive view
  (``[Direct election]``: premise, explanation, "Therefore the answer would be: <answer>") and a
  negative view for the wrong option (``[Elimination method]``: the explanation links the premise
  to the answer, not to the wrong option, "Therefore the answer would not be: <wrong>"). Offline,
  both views are built from the one human explanation by a fixed template: they differ in
  direction and format, not in knowledge; the negative view states no reason *why* the wrong option
  fails beyond "the explanation does not link it" (a teacher's NVC would).
* ``FT-CD-CoT`` / ``FT-CD-MVC``: the above for the originals plus their counterfactuals.

Counterfactuals (seed 003 §3.2: same options, the other one becomes correct):

* offline default (:func:`offline_counterfactuals`): *premise swap by retrieval*. For a question
  with wrong option ``w``, another train-split row whose correct pair has ``w`` in the same role
  (``w`` as the effect for an effect question, as the cause for a cause question) supplies a new
  premise, so that ``w`` is the right answer; its human explanation is the rationale. Can: real,
  human-written, label-correct counterfactuals with a human explanation, deterministic, no teacher.
  Cannot: edit the original premise minimally (the new premise is another e-CARE sentence, not a
  masked re-completion), cover every question (only when such a row exists: 12 of 24 and 21 of 64 sampled
  questions), or add knowledge beyond e-CARE train.
* ``--teacher openai|hf``: seed 003's generator through :func:`cec_eval.distill.augment.augment`
  (topic word + noun-phrase mask, one completion per wrong option, 5-path self-consistency,
  teacher PVC/NVC for the kept counterfactuals; the originals keep the human explanation).

Output folder: ``sets/<variant>.jsonl`` (SFT records), ``counterfactuals.jsonl``,
``models/<variant>/`` (adapter, metrics.json), ``eval/`` (leaderboard cache), ``ablation.json``,
``ablation.md``. Re-running reuses an adapter trained on the same records with the same settings, and cached
evaluations (their key includes a fingerprint of the adapter's files).

Usage::

    python benchmarks/ecare_ablation.py --out runs/ecare_ablation            # full (64 questions, 200 test)
    python benchmarks/ecare_ablation.py --smoke --out /tmp/ecare_smoke       # the chain, in seconds
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from cec_eval.errors import InputError

VARIANTS = ("FT", "FT-CoT", "FT-MVC", "FT-CD-CoT", "FT-CD-MVC")
TASK = "ecare_causal_ll"
#: the full run: 64 training questions, 200 test questions; steps None = one epoch of the largest
#: set (FT-CD-MVC) for every variant, so each variant sees each of its rows at least once. Sized
#: from the measured CPU time of a 24-question run (18.4 CPU-min) to ~30 CPU-minutes on one core
#: (docs/ecare_ablation.md, "Sizing")
FULL = {"train_items": 64, "test_items": 200, "steps": None, "overrides": {}}
#: SFT settings added to preset claire in every run: e-CARE rows are short (at most ~120 tokens with
#: the chat template, see ``token_stats`` in ablation.json), so 4 rows per forward pass and no
#: gradient checkpointing fit easily in memory on a CPU; the effective batch stays 4 x 4 = 16
SFT_OVERRIDES = {"micro_batch_size": 4, "gradient_checkpointing": False, "max_length": 256}
#: --smoke: 6 questions, 1 step of 2 rows, 4 test questions: the chain in the test suite, nothing measured
SMOKE = {"train_items": 6, "test_items": 4, "steps": 1,
         "overrides": {"per_device_train_batch_size": 2, "gradient_accumulation_steps": 1, "micro_batch_size": 2}}
DIRECT, ELIMINATION = "[Direct election]", "[Elimination method]"


# -- data ----------------------------------------------------------------------------------------


def sample_items(n: int, seed: int = 0) -> list[dict]:
    """``n`` questions of the e-CARE train split, a seeded sample kept in file order."""
    from cec_eval.tasks.ecare import split_rows

    train = split_rows("train")
    if not 1 <= n <= len(train):
        raise InputError(f"--train-items: must be in 1..{len(train)}, got {n}")
    picked = sorted(random.Random(seed).sample(range(len(train)), n))
    return [train[i] for i in picked]


def offline_counterfactuals(items: list[dict], pool: list[dict]) -> tuple[list[dict], dict[str, Any]]:
    """Premise-swap counterfactuals (see the module docstring): for each item, the first ``pool``
    row (file order) whose correct pair holds the item's wrong option in the asked-for role and has
    another premise. Returns (counterfactual documents, summary)."""
    index: dict[tuple[str, str], list[dict]] = {}
    for d in pool:
        for r in ("cause", "effect"):
            index.setdefault((r, d[r]), []).append(d)
    out = []
    for it in items:
        wrong = 1 - it["label"]
        premise_role = "cause" if it["ask_for"] == "effect" else "effect"
        donors = [d for d in index.get((it["ask_for"], it["choices"][wrong]), []) if d[premise_role] != it["premise"]]
        if not donors:
            continue
        donor = donors[0]
        new_premise = donor[premise_role]
        cause, effect = (new_premise, it["choices"][wrong]) if it["ask_for"] == "effect" else (it["choices"][wrong], new_premise)
        out.append({**it, "id": f"{it['id']}:cf", "premise": new_premise, "label": wrong, "answer": str(wrong + 1),
                    "cause": cause, "effect": effect, "explanation": donor["explanation"], "counterfactual": True,
                    "original_id": it["id"], "donor_id": donor["id"]})
    return out, {"method": "offline premise swap (retrieved from the train split)", "items": len(items),
                 "counterfactuals": len(out)}


def teacher_counterfactuals(items: list[dict], client: Any, n_paths: int = 5, min_agree: int = 4
                            ) -> tuple[list[dict], dict[str, Any]]:
    """Seed 003's generator through :func:`cec_eval.distill.augment.augment` (the teacher masks and
    re-completes the premise so the wrong option becomes right, checks it by self-consistency and
    writes PVC/NVC for the kept ones). Returns counterfactual documents with the teacher's views
    as ``pvc`` / ``nvc`` (the ``explanation`` is the PVC text), and augment's summary."""
    from cec_eval.distill.augment import LETTERS, augment

    mc = [{"id": it["id"], "source": "ecare", "question": f"{it['premise']} {it['question']}", "stem": it["question"],
           "options": list(it["choices"]), "gold": LETTERS[it["label"]]} for it in items]
    rows, summary = augment(mc, client, n_paths=n_paths, min_agree=min_agree, multiview=True)
    by_id = {it["id"]: it for it in items}
    cases: dict[str, dict] = {}
    for r in rows:
        if not r.get("counterfactual"):
            continue
        base = r["id"].rsplit(":", 1)[0]
        orig = by_id[r["augment"]["original_id"]]
        premise = r["question"].strip()
        if premise.endswith(orig["question"]):
            premise = premise[: -len(orig["question"])].strip()
        label = LETTERS.index(r["gold"])
        case = cases.setdefault(base, {**orig, "id": base, "premise": premise, "label": label, "answer": str(label + 1),
                                       "counterfactual": True, "original_id": orig["id"], "pvc": None, "nvc": None})
        rationale = r["completion"].split("\nTherefore the answer would", 1)[0].strip()
        case[r["kind"]] = rationale
    out = []
    for case in cases.values():
        if case["pvc"]:
            cause_effect = (case["premise"], case["choices"][case["label"]])
            case["cause"], case["effect"] = cause_effect if case["ask_for"] == "effect" else cause_effect[::-1]
            case["explanation"] = case["pvc"]
            out.append(case)
    return out, {"method": "teacher (distill.augment)", **summary, "counterfactuals": len(out)}


def _row(doc: dict, kind: str, completion: str) -> dict:
    from cec_eval.tasks.ecare import ll_prompt

    return {"id": f"{doc['id']}:{kind}", "source": "ecare", "kind": kind, "prompt": ll_prompt(doc),
            "completion": completion, "counterfactual": bool(doc.get("counterfactual"))}


def ft_row(doc: dict) -> dict:
    return _row(doc, "answer", doc["choices"][doc["label"]])


def cot_row(doc: dict) -> dict:
    return _row(doc, "cot", f"{doc['choices'][doc['label']]}\nExplanation: {doc['explanation']}")


def mvc_rows(doc: dict) -> list[dict]:
    """Seed 003 §3.4's positive and negative view, answer first (see the module docstring).
    A teacher counterfactual brings its own views (``pvc``/``nvc``); otherwise the offline
    templates over the human explanation."""
    answer, wrong = doc["choices"][doc["label"]], doc["choices"][1 - doc["label"]]
    pvc = doc.get("pvc") or f"{doc['premise']} {doc['explanation']}"
    nvc = doc.get("nvc") or (f"{doc['explanation']} This links \"{doc['premise']}\" to \"{answer}\", "
                             f"not to \"{wrong}\".")
    return [_row(doc, "pvc", f"{answer}\n{DIRECT} {pvc}\nTherefore the answer would be: {answer}"),
            _row(doc, "nvc", f"{answer}\n{ELIMINATION} {nvc}\nTherefore the answer would not be: {wrong}")]


def build_sets(items: list[dict], counterfactuals: list[dict]) -> dict[str, list[dict]]:
    """The five training sets (rows with prompt/completion), originals first."""
    both = items + counterfactuals
    return {
        "FT": [ft_row(d) for d in items],
        "FT-CoT": [cot_row(d) for d in items],
        "FT-MVC": [r for d in items for r in mvc_rows(d)],
        "FT-CD-CoT": [cot_row(d) for d in both],
        "FT-CD-MVC": [r for d in both for r in mvc_rows(d)],
    }


# -- statistics and the table ----------------------------------------------------------------------


def compare(scores: dict[str, dict[str, float]], reference: str = "FT") -> list[dict]:
    """Per checkpoint: accuracy with its 95% bootstrap CI; for the students also the paired delta
    against ``reference`` (bootstrap CI of per-item differences, Wilcoxon/sign-test p)."""
    from cec_eval.leaderboard import paired_significance
    from cec_eval.stats import bootstrap_ci

    rows = []
    for name, per_doc in scores.items():
        docs = sorted(per_doc, key=lambda d: (len(d), d))
        e = bootstrap_ci([per_doc[d] for d in docs])
        row: dict[str, Any] = {"checkpoint": name, "n": len(docs), "acc": e.estimate, "ci95": [e.low, e.high]}
        if name not in ("base", reference) and reference in scores:
            ref = scores[reference]
            common = [d for d in docs if d in ref]
            de = bootstrap_ci([per_doc[d] - ref[d] for d in common])
            sig = paired_significance({d: ref[d] for d in common}, {d: per_doc[d] for d in common})
            row["delta_vs_" + reference] = {"mean": de.estimate, "ci95": [de.low, de.high], "pvalue": sig.get("pvalue"),
                                            "n": len(common)}
        rows.append(row)
    return rows


def _f(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def markdown(rows: list[dict], info: dict[str, dict[str, Any]], reference: str = "FT") -> str:
    key = "delta_vs_" + reference
    lines = [f"| checkpoint | training rows | counterfactual rows | final train loss | n test | acc [95% CI] | "
             f"Δ vs {reference} [95% CI] | p (sign test) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        i = info.get(r["checkpoint"], {})
        d = r.get(key)
        delta = f"{_f(d['mean'])} [{_f(d['ci95'][0])}, {_f(d['ci95'][1])}]" if d else "—"
        lines.append(f"| {r['checkpoint']} | {i.get('rows', '—')} | {i.get('counterfactual_rows', '—')} | "
                     f"{_f(i.get('final_loss'))} | {r['n']} | {_f(r['acc'])} [{_f(r['ci95'][0])}, {_f(r['ci95'][1])}] | "
                     f"{delta} | {_f(d['pvalue']) if d else '—'} |")
    return "\n".join(lines) + "\n"


# -- the run ---------------------------------------------------------------------------------------


def run(out: str | Path, train_items: int, test_items: int, steps: int | None = None, seed: int = 0,
        overrides: dict[str, Any] | None = None, client: Any = None, threads: int = 1,
        variants: Sequence[str] = VARIANTS, n_paths: int = 5, min_agree: int = 4) -> dict[str, Any]:
    """The whole ablation into ``out``; returns what ``ablation.json`` holds. ``steps``: optimiser
    steps of every variant (None: one epoch of the largest of the five sets, whichever variants run).
    Raises :class:`InputError` on bad sizes, settings or a failed evaluation."""
    from cec_eval import leaderboard as lb
    from cec_eval.distill import sft
    from cec_eval.distill.formatting import format_rows
    from cec_eval.distill.records import write_json, write_jsonl
    from cec_eval.io import atomic_write_text
    from cec_eval.resources import smollm2_model_dir
    from cec_eval.runtime import offline_env, torch_threads
    from cec_eval.tasks.ecare import SPLIT_SEED, SPLIT_SIZES, split_rows

    for name, v in (("--test-items", test_items), ("--steps", 1 if steps is None else steps), ("--threads", threads)):
        if v < 1:
            raise InputError(f"{name}: must be at least 1, got {v}")
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        raise InputError(f"--variants: unknown {bad}; choose from {list(VARIANTS)}")
    if not 1 <= train_items <= SPLIT_SIZES["train"]:
        raise InputError(f"--train-items: must be in 1..{SPLIT_SIZES['train']}, got {train_items}")
    if test_items > SPLIT_SIZES["test"]:
        raise InputError(f"--test-items: the test split has {SPLIT_SIZES['test']} questions, got {test_items}")
    overrides = {**SFT_OVERRIDES, "seed": seed, **(overrides or {})}
    settings = sft.resolve_settings("claire", overrides)  # a bad override fails before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    base_model = smollm2_model_dir()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model)
    summary: dict[str, Any] = {"command_args": {"train_items": train_items, "test_items": test_items, "steps": steps,
                                                "seed": seed, "overrides": overrides, "teacher": bool(client)},
                               "split": {"seed": SPLIT_SEED, "sizes": SPLIT_SIZES}, "base_model": base_model,
                               "settings": settings.to_dict(), "output": str(out)}
    t0, c0 = time.time(), time.process_time()
    items = sample_items(train_items, seed)
    if client is None:
        cfs, cf_summary = offline_counterfactuals(items, split_rows("train"))
    else:
        cfs, cf_summary = teacher_counterfactuals(items, client, n_paths, min_agree)
    write_jsonl(cfs, out / "counterfactuals.jsonl")
    summary["counterfactuals"] = cf_summary
    sets = build_sets(items, cfs)
    if steps is None:
        per_step = settings.per_device_train_batch_size * settings.gradient_accumulation_steps
        steps = math.ceil(max(len(rows) for rows in sets.values()) / per_step)
    overrides.update(max_steps=steps, save_steps=steps)
    summary["steps"] = steps
    summary["settings"] = sft.resolve_settings("claire", overrides).to_dict()
    info: dict[str, dict[str, Any]] = {}
    cps = [lb.Checkpoint("base", "hf", {"pretrained": base_model})]
    for variant in variants:
        rows = sets[variant]
        records, _, report = format_rows(rows, chat=True, eval_fraction=0.0, seed=seed, tokenizer=tokenizer)
        write_jsonl(records, out / "sets" / f"{variant}.jsonl")
        model_dir = out / "models" / variant
        done, stamp = model_dir / "metrics.json", model_dir / "trained_on.json"
        # an adapter is reused only for the same records and settings (another size or seed retrains)
        key = {"records": sft._fingerprint(records), "overrides": overrides, "base_model": base_model}
        w0, cpu0 = time.time(), time.process_time()
        if done.is_file() and stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == key:
            res = json.loads(done.read_text(encoding="utf-8"))
        else:
            shutil.rmtree(model_dir, ignore_errors=True)
            with torch_threads(threads):
                res = sft.train(records, model_dir, base_model=base_model, preset="claire", overrides=overrides)
            # the adapter and metrics.json are kept; the optimiser checkpoints are hundreds of MB each
            shutil.rmtree(model_dir / "checkpoints", ignore_errors=True)
            write_json(key, stamp)
        curve = res.get("loss_curve", {}).get("train", [])
        info[variant] = {"rows": len(records), "counterfactual_rows": sum(r["counterfactual"] for r in rows),
                         "by_kind": report["by_kind"], "prompt_tokens": report["prompt_tokens"],
                         "completion_tokens": report["completion_tokens"], "global_steps": res.get("global_steps"),
                         "final_loss": curve[-1]["loss"] if curve else None,
                         "first_loss": curve[0]["loss"] if curve else None,
                         "train_wall_s": round(time.time() - w0, 1), "train_cpu_s": round(time.process_time() - cpu0, 1)}
        cps.append(lb.Checkpoint(variant, "hf", {"pretrained": base_model, "peft": str(model_dir / "adapter")}, base="base"))
    summary["training"] = info
    summary["build_and_train_wall_s"] = round(time.time() - t0, 1)
    summary["build_and_train_cpu_s"] = round(time.process_time() - c0, 1)

    t1, c1 = time.time(), time.process_time()
    config = lb.EvalConfig(limit=test_items, threads=threads, batch_size=4)
    scores: dict[str, dict[str, float]] = {}
    with offline_env(), torch_threads(threads):
        for cp in cps:
            status = lb.evaluate_checkpoint(cp, [TASK], config, out / "eval")[TASK]
            if "error" in status:
                raise InputError(f"evaluation of {cp.name!r} failed: {status['error']}")
            per = json.loads((Path(status["dir"]) / "scores.json").read_text(encoding="utf-8"))
            scores[cp.name] = per["none"]["acc"]
    summary["eval_wall_s"] = round(time.time() - t1, 1)
    summary["eval_cpu_s"] = round(time.process_time() - c1, 1)
    summary["results"] = compare(scores)
    summary["total_wall_s"] = round(time.time() - t0, 1)
    summary["total_cpu_s"] = round(time.process_time() - c0, 1)
    write_json(summary, out / "ablation.json")
    atomic_write_text(out / "ablation.md", markdown(summary["results"], info))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="output folder (re-running reuses its adapters and evaluations)")
    p.add_argument("--smoke", action="store_true", help="6 questions, 1 step, 4 test items: the chain, nothing measured")
    p.add_argument("--train-items", type=int, help=f"questions from the train split (default {FULL['train_items']})")
    p.add_argument("--test-items", type=int, help=f"first N questions of the test split (default {FULL['test_items']})")
    p.add_argument("--steps", type=int, help="optimiser steps per variant (default: one epoch of the largest set)")
    p.add_argument("--seed", type=int, default=0, help="sample and SFT seed")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="SFT setting over preset claire (repeatable)")
    p.add_argument("--threads", type=int, default=1, help="torch threads for training and evaluation")
    p.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of " + ",".join(VARIANTS))
    p.add_argument("--teacher", choices=("none", "openai", "hf"), default="none",
                   help="counterfactual generator: none = the offline premise swap (default)")
    p.add_argument("--teacher-model", help="served model name (openai) or local folder (hf; default SmolLM2)")
    p.add_argument("--teacher-base-url", help="OpenAI-compatible base URL (openai)")
    p.add_argument("--paths", type=int, default=5, help="self-consistency paths per counterfactual (seed 003: 5)")
    p.add_argument("--min-agree", type=int, default=4, help="keep when at least this many paths agree (seed 003: >3 of 5)")
    args = p.parse_args(argv)
    preset = SMOKE if args.smoke else FULL
    client = None
    if args.teacher != "none":
        from cec_eval.distill.teacher import make_backend

        client = make_backend(args.teacher, model=args.teacher_model, base_url=args.teacher_base_url,
                              cache_path=Path(args.out) / "teacher_cache.jsonl")
    try:
        from cec_eval.distill.sft import parse_overrides

        pick = lambda given, name: preset[name] if given is None else given  # noqa: E731 - 0 is an error, not "default"
        summary = run(args.out, pick(args.train_items, "train_items"), pick(args.test_items, "test_items"),
                      pick(args.steps, "steps"), seed=args.seed, overrides={**preset["overrides"], **parse_overrides(args.set)},
                      client=client,
                      threads=args.threads, variants=[v.strip() for v in args.variants.split(",") if v.strip()],
                      n_paths=args.paths, min_agree=args.min_agree)
    except InputError as e:
        print(f"ecare_ablation: {e}", file=sys.stderr)
        return 2
    print(Path(args.out, "ablation.md").read_text(encoding="utf-8"))
    print(f"total: {summary['total_wall_s']} s wall, {summary['total_cpu_s']} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
