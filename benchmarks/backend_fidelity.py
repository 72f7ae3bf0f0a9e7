"""Fidelity of the ONNX encoder backends against torch fp32 (issue #19, part 2).

For each variant (plain, causal) and backend (onnx, onnx-int8), against torch fp32 on the same
encoder weights:

* the 1,000-pair benchmark corpus (``benchmarks/corpus.py``, seed 0): |Δ corpus CEC_sym| and the
  99th percentile of per-item |Δ CEC_sym|;
* COPA-SSE dev (6,579 rated explanations, 1,000 questions, each scored against the other
  explanations of its question): within-question Kendall τ-b with the human ratings
  (:func:`cec_eval.causal.agreement.agreement`), and its change.

Bounds (the int8 path may be the default only if it meets all three): |Δ corpus| ≤ 0.005,
p99 |Δ item| ≤ 0.02, |Δτ| ≤ 0.005.

Run (1 thread, minutes per backend on a quiet core)::

    OMP_NUM_THREADS=1 python benchmarks/backend_fidelity.py --out fidelity.json [--pairs 1000]
        [--questions 1000] [--model minilm] [--variants plain,causal]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import explanation_pairs  # noqa: E402

from cec_eval.causal.agreement import agreement, load_copa_sse  # noqa: E402
from cec_eval.scorer import CECScorer  # noqa: E402

BOUNDS = {"corpus": 0.005, "p99_item": 0.02, "tau": 0.005}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--questions", type=int, default=None, help="COPA-SSE questions (default all 1,000)")
    ap.add_argument("--model", default=None, help="backbone name or folder (default MiniLM)")
    ap.add_argument("--variants", default="plain,causal")
    ap.add_argument("--aggregation", default=None, help="CEC_sym rule (default: each variant's)")
    ap.add_argument("--backends", default="onnx,onnx-int8")
    ap.add_argument("--out", help="write the JSON here")
    args = ap.parse_args(argv)

    preds, refs = explanation_pairs(args.pairs)
    copa = load_copa_sse(max_questions=args.questions)
    report: dict = {"pairs": len(preds), "copa_explanations": len(copa), "copa_questions": len(set(copa.groups)),
                    "bounds": BOUNDS, "rows": []}
    for variant in args.variants.split(","):
        base = {}
        for backend in ["torch", *args.backends.split(",")]:
            t = time.perf_counter()
            scorer = CECScorer(model=args.model, variant=variant, aggregation=args.aggregation, backend=backend,
                               show_progress=False)
            corpus = np.asarray(scorer.score(preds, refs).sym)
            rated = scorer.score(copa.texts, copa.references).sym
            tau = agreement(rated, copa, n_boot=0, statistics=("within_tau",))["within_tau"]["value"]
            seconds = time.perf_counter() - t
            if backend == "torch":
                base = {"corpus": corpus, "tau": tau}
            d_item = np.abs(corpus - base["corpus"])
            row = {
                "variant": variant, "backend": backend, "signature": scorer.signature().format(),
                "corpus_cec_sym": float(corpus.mean()), "delta_corpus": float(corpus.mean() - base["corpus"].mean()),
                "p99_abs_delta_item": float(np.percentile(d_item, 99)), "max_abs_delta_item": float(d_item.max()),
                "copa_within_tau": float(tau), "delta_tau": float(tau - base["tau"]), "seconds": round(seconds, 1),
            }
            row["meets_bounds"] = bool(abs(row["delta_corpus"]) <= BOUNDS["corpus"]
                                       and row["p99_abs_delta_item"] <= BOUNDS["p99_item"]
                                       and abs(row["delta_tau"]) <= BOUNDS["tau"])
            report["rows"].append(row)
            print(json.dumps(row), flush=True)
    print(markdown(report))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


def markdown(report: dict) -> str:
    lines = [
        "| variant | backend | corpus CEC_sym | Δ corpus | p99 \\|Δ item\\| | max \\|Δ item\\| | COPA-SSE τ | Δτ | meets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["rows"]:
        lines.append(
            f"| {r['variant']} | {r['backend']} | {r['corpus_cec_sym']:.4f} | {r['delta_corpus']:+.4f} | "
            f"{r['p99_abs_delta_item']:.4f} | {r['max_abs_delta_item']:.4f} | {r['copa_within_tau']:.4f} | "
            f"{r['delta_tau']:+.4f} | {'yes' if r['meets_bounds'] else 'no'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
