"""CEC at scale (issue #19 part 4): N teacher/student explanation pairs, scored end to end with
``cec-eval score``, wall time and peak RSS per (backend, variant).

The corpus (seeded) imitates a distillation set: a teacher explanation is 4–6 sentences drawn
from every sentence the package ships (Climate-FEVER evidence, e-CARE causes/effects/explanations,
COPA-SSE explanations, GSM8K questions: ~100k distinct sentences); the student keeps most of the
teacher's sentences with a small word-level edit (a dropped or swapped word: a paraphrase-like
near copy) and replaces the rest with other sentences. Every use of a sentence is edited with
some probability, so most sentences of the corpus are distinct, as in a real teacher/student
corpus — a small pool would let de-duplication hide the encoder. The unique-sentence count is
reported.

Run::

    python benchmarks/scale_report.py --pairs 2000 --backend onnx-int8 --backend torch \\
        --variant plain --variant causal --out scale.json
    python benchmarks/scale_report.py --pairs 100000 --build-only   # the corpus and its counts

Each configuration runs as its own ``cec-eval score`` process (its progress bar, with ETA, goes
to stderr); wall time and peak RSS come from ``os.wait4``, the 1-minute load average is sampled
every 5 s during the run. ``--threads`` sets OMP_NUM_THREADS for the child (default 1: the CPU is
shared). ``score`` works in chunks (``--chunk-size``, default its own); each configuration gets a
fresh, empty persistent cache in the results folder, so a sentence repeated across chunks is read
back instead of encoded again and no configuration warms another's; the number of sentences
encoded is that cache's row count (``--no-cache``: none, repeats are encoded again).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cec_eval.embedding_cache import FILE_NAME
from cec_eval.resources import read_jsonl

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def sentence_pool() -> list[str]:
    """Distinct sentences of the shipped datasets, in a fixed order."""
    out: list[str] = []
    for row in read_jsonl("climate_fever"):
        out += [e["evidence"].strip() for e in row["evidences"]]
    for row in read_jsonl("ecare_explanation_generation_train"):
        out += [row["cause"], row["effect"], row["conceptual_explanation"]]
    for row in read_jsonl("ecare_causal_reasoning_train"):
        out += [row["premise"], row["hypothesis1"], row["hypothesis2"]]
    for row in read_jsonl("copa_sse_dev"):
        out += [e["text"] for e in row["human-explanations"] if isinstance(e, dict) and e.get("text")]
    for row in read_jsonl("gsm8k_train"):
        out += _SENTENCE.split(row["question"])
    clean = (" ".join(s.split()) for s in out)
    # whole sentences only: capitalised, ending in a stop, 4+ words
    return list(dict.fromkeys(s if s[-1] in ".!?" else s + "." for s in clean if len(s.split()) >= 4 and s[0].isupper()))


def _edit(sentence: str, rng: random.Random) -> str:
    """A near copy: one word dropped, or two neighbours swapped (the first word stays)."""
    words = sentence.split()
    if len(words) < 4:
        return sentence
    i = rng.randrange(1, len(words) - 1)
    if rng.random() < 0.5:
        del words[i]
    else:
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def build_pairs(n: int, seed: int = 0, p_edit: float = 0.7, p_keep: float = 0.7) -> tuple[list[str], list[str]]:
    """n (student, teacher) explanations of 4–6 sentences; see the module docstring."""
    pool = sentence_pool()
    rng = random.Random(seed)
    students, teachers = [], []
    for _ in range(n):
        k = rng.randint(4, 6)
        teacher = [_edit(s, rng) if rng.random() < p_edit else s for s in rng.sample(pool, k)]
        student = [_edit(s, rng) if rng.random() < p_keep else _edit(rng.choice(pool), rng) for s in teacher]
        teachers.append(" ".join(teacher))
        students.append(" ".join(student))
    return students, teachers


def unique_sentences(texts: list[str]) -> int:
    return len({s for t in texts for s in _SENTENCE.split(t)})


def _load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_score(preds_file: Path, refs_file: Path, backend: str, variant: str, threads: int, out: Path,
              extra: list[str], cache_dir: Path | None = None) -> dict:
    """One ``cec-eval score`` process: wall, CPU and peak RSS (``os.wait4``), the 1-minute load
    average during the run (sampled every 5 s; Linux), and with ``cache_dir`` (made empty here)
    the sentences it encoded (the cache's rows)."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false"}
    cmd = [str(Path(sys.executable).with_name("cec-eval")), "score", "-p", str(preds_file), "-r", str(refs_file),
           "--backend", backend, "--variant", variant, "-o", str(out), *extra]
    if cache_dir is not None:
        if cache_dir.exists() and any(cache_dir.iterdir()):
            raise FileExistsError(f"{cache_dir}: the run's cache must start empty")
        cmd += ["--cache-dir", str(cache_dir)]
    loads: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(5.0):
            loads.append(_load_average())

    sampler = threading.Thread(target=sample, daemon=True)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)  # stderr (progress bars) passes through
    sampler.start()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    done.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}")
    result = json.loads(out.read_text())
    row = {"backend": backend, "variant": variant, "wall_s": round(wall, 1),
           "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),  # the child's CPU time (steadier when shared)
           "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
           "cec_sym": result["mean"]["sym"], "signature": result["signature"], "stdout": stdout.strip().splitlines()[-1]}
    if loads:
        row["load1"] = {"mean": round(sum(loads) / len(loads), 2), "max": max(loads), "samples": len(loads)}
    if cache_dir is not None:
        with sqlite3.connect(cache_dir / FILE_NAME) as conn:
            row["encoded_sentences"] = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--backend", action="append", help="repeatable (default onnx-int8)")
    ap.add_argument("--variant", action="append", help="repeatable (default plain)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--build-only", action="store_true", help="build the corpus and report its counts only")
    ap.add_argument("--keep", help="folder for the corpus files and results (default: a temporary one)")
    ap.add_argument("--out", help="write the JSON report here")
    ap.add_argument("--chunk-size", type=int, help="pairs per chunk of cec-eval score (default: its own)")
    ap.add_argument("--no-cache", action="store_true", help="no persistent cache (repeats across chunks are re-encoded)")
    args = ap.parse_args(argv)

    t = time.perf_counter()
    students, teachers = build_pairs(args.pairs, args.seed)
    report = {"pairs": args.pairs, "seed": args.seed, "threads": args.threads, "build_s": round(time.perf_counter() - t, 1),
              "sentences": sum(len(_SENTENCE.split(x)) for x in students + teachers),
              "unique_sentences": unique_sentences(students + teachers), "runs": []}
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}), flush=True)
    if not args.build_only:
        folder = Path(args.keep or tempfile.mkdtemp(prefix="cec-scale-"))
        folder.mkdir(parents=True, exist_ok=True)
        preds_file, refs_file = folder / "students.jsonl", folder / "teachers.jsonl"
        preds_file.write_text("".join(json.dumps({"prediction": s}) + "\n" for s in students), encoding="utf-8")
        refs_file.write_text("".join(json.dumps({"reference": s}) + "\n" for s in teachers), encoding="utf-8")
        for variant in args.variant or ["plain"]:
            for backend in args.backend or ["onnx-int8"]:
                load_before = _load_average()
                extra = ["--pred-field", "prediction", "--ref-field", "reference"]
                if args.chunk_size:
                    extra += ["--chunk-size", str(args.chunk_size)]
                cache = None if args.no_cache else folder / f"embed-cache-{variant}-{backend}"
                row = run_score(preds_file, refs_file, backend, variant, args.threads, folder / f"{variant}-{backend}.json",
                                extra, cache)
                row["load1_before"] = load_before
                row["unique_sentences_per_s"] = round(report["unique_sentences"] / row["wall_s"], 1)
                row["pairs_per_s"] = round(args.pairs / row["wall_s"], 1)
                report["runs"].append(row)
                print(json.dumps(row), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
