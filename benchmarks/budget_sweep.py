"""gsm8k_causal accuracy and format compliance vs think budget (s1 budget forcing); writes a table
and a plot. Also the plain ``--model hf`` comparison of checkpoints (``--budgets none``).

    python benchmarks/budget_sweep.py --model base=<folder> --model claire=<merged folder> \\
        --budgets none,0,32,96,96+1 --limit 20 --max-gen-toks 192 --answer-budget 48 --out runs/budget

A budget is ``none`` (``--model hf``, nothing forced: the reference), ``N`` (``--model hf-budget``
with ``think_budget=N``), ``N+K`` (also ``extend=K``) or ``inf+K`` (no cap, ``extend=K``). Each
(model, budget) run is one in-process lm-eval evaluation of the first ``--limit`` documents of
gsm8k_causal with the chat template, greedy decoding (plain hf batched by ``--batch-size``,
hf-budget row by row), cached as
``<out>/<label>__<budget>.json`` (a rerun skips it); ``<out>/table.md`` and ``<out>/budget.png``
are rebuilt from every cached run. Run with ``OMP_NUM_THREADS=1``; the script uses one torch thread.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

METRICS = {"math": "exact_match,math-verify", "strict": "exact_match,strict-match", "format": "format_compliance,format",
           "cec": "cec_sym,reasoning"}


def parse_budget(text: str) -> tuple[int | None, int, bool]:
    """(think_budget, extend, forced?) of ``none`` / ``N`` / ``N+K`` / ``inf+K``."""
    if text == "none":
        return None, 0, False
    cap, _, ext = text.partition("+")
    return (None if cap == "inf" else int(cap)), int(ext or 0), True


def run_one(label: str, path: str, budget: str, args) -> dict:
    from lm_eval import simple_evaluate
    from lm_eval.api.registry import get_model

    from cec_eval.tasks import task_manager
    from cec_eval.tasks.budget_forcing import register

    register()
    cap, extend, forced = parse_budget(budget)
    # hf-budget generates row by row whatever the batch size; plain hf batches
    model_args = f"pretrained={path},dtype=float32,device=cpu,batch_size={1 if forced else args.batch_size}"
    if forced:
        model_args += f",think_budget={'none' if cap is None else cap},extend={extend},answer_budget={args.answer_budget}"
    name = "hf-budget" if forced else "hf"
    lm = get_model(name).create_from_arg_string(model_args)
    t0 = time.time()
    out = simple_evaluate(model=lm, tasks=["gsm8k_causal"], limit=args.limit, apply_chat_template=True,
                          gen_kwargs={"max_gen_toks": args.max_gen_toks}, bootstrap_iters=0, log_samples=False,
                          task_manager=task_manager(include_defaults=False))
    m = out["results"]["gsm8k_causal"]
    return {"label": label, "budget": budget, "model": name, "model_args": model_args, "limit": args.limit,
            "max_gen_toks": args.max_gen_toks, "seconds": round(time.time() - t0, 1),
            **{k: m.get(v) for k, v in METRICS.items()},
            "stats": lm.stats.to_dict() if forced else None}


def write_report(out: Path) -> None:
    runs = [json.loads(p.read_text()) for p in sorted(out.glob("*__*.json"))]
    if not runs:
        return
    order = {"none": 10**9}
    key = lambda r: (order.get(r["budget"], 0) or parse_budget(r["budget"])[0] or 0, parse_budget(r["budget"])[1])  # noqa: E731
    lines = ["| checkpoint | budget | lm-eval model | acc (math-verify) | acc (strict) | format compliance | CEC_sym reasoning | "
             "capped | Waits | think tokens / row | s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(runs, key=lambda r: (r["label"], key(r))):
        st = r.get("stats") or {}
        per_row = f"{st['think_tokens'] / st['rows']:.1f}" if st.get("rows") else "-"
        lines.append(f"| {r['label']} | {r['budget']} | {r['model']} | {r['math']:.3f} | {r['strict']:.3f} | "
                     f"{r['format']:.3f} | {r['cec']:.3f} | {st.get('capped', '-')} | {st.get('waits', '-')} | "
                     f"{per_row} | {r['seconds']:.0f} |")
    (out / "table.md").write_text("\n".join(lines) + "\n")
    import matplotlib

    matplotlib.use("Agg")  # noqa: the script's own process, not library code
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for label in sorted({r["label"] for r in runs}):
        pts = sorted(((parse_budget(r["budget"])[0], r) for r in runs
                      if r["label"] == label and parse_budget(r["budget"])[0] is not None
                      and parse_budget(r["budget"])[1] == 0), key=lambda t: t[0])
        ref = next((r for r in runs if r["label"] == label and r["budget"] == "none"), None)
        for ax, metric, title in ((axes[0], "math", "accuracy (math-verify)"), (axes[1], "format", "format compliance")):
            line = ax.plot([p[0] for p in pts], [p[1][metric] for p in pts], marker="o", label=label)[0]
            if ref is not None:
                ax.axhline(ref[metric], ls="--", color=line.get_color(), lw=1)
            ax.set_title(title)
            ax.set_xlabel("think budget (tokens)")
            ax.set_ylim(-0.05, 1.05)
    axes[0].legend(title="dashed: unforced (--model hf)", fontsize=8, title_fontsize=8)
    fig.suptitle(f"gsm8k_causal, first {runs[0]['limit']} test items, max_gen_toks {runs[0]['max_gen_toks']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(out / "budget.png", dpi=110)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", action="append", required=True, metavar="LABEL=FOLDER")
    p.add_argument("--budgets", default="none,0,32,96")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--max-gen-toks", type=int, default=192)
    p.add_argument("--answer-budget", type=int, default=48)
    p.add_argument("--batch-size", type=int, default=4, help="for the unforced --model hf runs")
    p.add_argument("--out", default="runs/budget")
    args = p.parse_args(argv)
    from cec_eval.runtime import torch_threads

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for spec in args.model:
        label, _, path = spec.partition("=")
        for budget in args.budgets.split(","):
            target = out / f"{label}__{budget}.json"
            if target.exists():
                continue
            with torch_threads(1):
                res = run_one(label, path, budget, args)
            target.write_text(json.dumps(res, indent=2))
            print(json.dumps(res), flush=True)
            write_report(out)
    write_report(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
