"""Share of an lm-eval run's wall time spent in the task pack's CEC pass (and in its bootstrap).

    python benchmarks/cec_pass_share.py                                  # SmolLM2 (hf, CPU), limit 10
    python benchmarks/cec_pass_share.py --limit 20 --max-gen-toks 128 --tasks climate_fever_cec
    python benchmarks/cec_pass_share.py --model vllm --model-args pretrained=/m,tensor_parallel_size=2
    python benchmarks/cec_pass_share.py --throughput 400    # also: CEC items/s on 400 climate-fever docs

Runs ``lm_eval.simple_evaluate`` in this process (the installed hook finds the tasks) and adds up
the CEC passes' own timings (``cec_eval.tasks.metrics`` logs each pass with ``cec_pass_seconds``)
and the time spent in the pack's bootstrap standard errors. ``--throughput N`` scores N
climate-fever documents' references against another document's evidence (a corpus the size and
shape of a real run, no generation) to give items per second with every sentence new, and for a
second system whose predictions are new but whose references are cached. Prints one JSON object;
nothing is written.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import time


class _PassTimes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.passes: list[tuple[int, float]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "cec_pass_seconds"):
            self.passes.append((record.cec_pass_items, record.cec_pass_seconds))


def run_share(args) -> dict:
    from lm_eval import simple_evaluate

    from cec_eval.tasks import metrics

    handler = _PassTimes()
    logger = logging.getLogger(metrics.__name__)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    boot = {"seconds": 0.0, "calls": 0}
    original = metrics.bootstrap_stderr

    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            boot["seconds"] += time.perf_counter() - t
            boot["calls"] += 1

    metrics.bootstrap_stderr = timed
    try:
        start = time.perf_counter()
        gen = {"max_gen_toks": args.max_gen_toks} if args.max_gen_toks else None
        out = simple_evaluate(model=args.model, model_args=args.model_args, tasks=args.tasks.split(","), limit=args.limit,
                              device=args.device, batch_size=args.batch_size, gen_kwargs=gen, bootstrap_iters=args.bootstrap_iters)
        wall = time.perf_counter() - start
    finally:
        metrics.bootstrap_stderr = original
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    cec = sum(s for _, s in handler.passes)
    return {
        "model": args.model, "model_args": args.model_args, "tasks": args.tasks, "limit": args.limit,
        "max_gen_toks": args.max_gen_toks, "bootstrap_iters": args.bootstrap_iters,
        "wall_s": round(wall, 2), "cec_passes": [{"items": n, "s": round(s, 3)} for n, s in handler.passes],
        "cec_s": round(cec, 2), "cec_share": round(cec / wall, 4),
        "bootstrap_s": round(boot["seconds"], 2), "bootstrap_calls": boot["calls"], "bootstrap_share": round(boot["seconds"] / wall, 4),
        "cec_sym": {t: {k: v for k, v in r.items() if k.startswith("cec_sym")} for t, r in out["results"].items()},
    }


def run_throughput(n: int) -> dict:
    from cec_eval import get_scorer
    from cec_eval.tasks import data

    docs = data.climate_fever()["test"]
    docs = docs.select(range(min(n, len(docs))))
    refs = [d["references"] for d in docs]
    preds = [" ".join(r[:2]) for r in refs[1:] + refs[:1]]  # another document's evidence: realistic length, imperfect match
    t = time.perf_counter()
    scorer = get_scorer()
    load = time.perf_counter() - t
    t = time.perf_counter()
    scorer.score(preds, refs)
    cold = time.perf_counter() - t
    # a second system on the same documents: every prediction sentence new (words reversed, same
    # length), the references' embeddings cached
    preds2 = [". ".join(" ".join(reversed(s.split())) for s in p.split(". ")) for p in preds]
    t = time.perf_counter()
    scorer.score(preds2, refs)
    warm = time.perf_counter() - t
    return {"items": len(refs), "scorer_load_s": round(load, 2), "all_new_s": round(cold, 2),
            "items_per_s_all_new": round(len(refs) / cold, 1), "new_predictions_cached_refs_s": round(warm, 2),
            "items_per_s_new_predictions": round(len(refs) / warm, 1)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="hf")
    p.add_argument("--model-args", default=None, help="default: the embedded SmolLM2 (float32)")
    p.add_argument("--tasks", default="climate_fever_cec,gsm8k_causal")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--max-gen-toks", type=int, default=None, help="cap generation (default: the tasks' own)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", default=1)
    p.add_argument("--bootstrap-iters", type=int, default=100_000, help="lm-eval's default, as the CLI (which has no flag)")
    p.add_argument("--throughput", type=int, default=0, metavar="N")
    p.add_argument("--skip-run", action="store_true", help="only the --throughput measurement")
    args = p.parse_args()
    if args.model_args is None and args.model == "hf":
        from cec_eval.resources import smollm2_model_dir

        args.model_args = f"pretrained={smollm2_model_dir()},dtype=float32"
    import torch

    report = {"machine": f"{platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}, "
                         f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"}
    if not args.skip_run:
        report["run"] = run_share(args)
    if args.throughput:
        report["throughput"] = run_throughput(args.throughput)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
