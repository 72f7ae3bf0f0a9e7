"""The persistent embedding cache across processes (issue #19 part 5): the same CEC pass run twice,
each time in a new process sharing one ``--cache-dir``; the second should embed nothing.

Run::

    OMP_NUM_THREADS=1 python benchmarks/embed_cache_report.py --pairs 300 [--backend torch]

Each child times only ``CECScorer(...).score(...)`` (model loading and imports are the same in
both processes and are reported apart), and prints the embedder's counters.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, sys, time, warnings
sys.path.insert(0, sys.argv[1])
from corpus import explanation_pairs
t0 = time.perf_counter()
from cec_eval import CECScorer
scorer = CECScorer(backend=sys.argv[4], cache_dir=sys.argv[3], show_progress=False)
t1 = time.perf_counter()
preds, refs = explanation_pairs(int(sys.argv[2]))
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    r = scorer.score(preds, refs)
    score_s = time.perf_counter() - t
print(json.dumps({"load_s": round(t1 - t0, 2), "score_s": round(score_s, 3), "stats": scorer.embedder.stats,
                  "cec_sym": r.score}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=300)
    ap.add_argument("--backend", default="torch")
    ap.add_argument("--out")
    args = ap.parse_args(argv)
    here = str(Path(__file__).resolve().parent)
    runs = []
    with tempfile.TemporaryDirectory(prefix="cec-embed-cache-") as cache:
        for _ in range(2):
            proc = subprocess.run([sys.executable, "-c", CHILD, here, str(args.pairs), cache, args.backend],
                                  capture_output=True, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
            if proc.returncode:
                raise SystemExit(proc.stderr[-3000:])
            runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), flush=True)
        size = sum(p.stat().st_size for p in Path(cache).iterdir())
    first, second = runs
    report = {"pairs": args.pairs, "backend": args.backend, "first": first, "second": second,
              "speedup": round(first["score_s"] / second["score_s"], 1), "cache_bytes": size,
              "same_scores": first["cec_sym"] == second["cec_sym"]}
    print(json.dumps({k: report[k] for k in ("speedup", "cache_bytes", "same_scores")}))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
