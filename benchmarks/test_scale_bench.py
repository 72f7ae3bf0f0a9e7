"""The scale benchmark at 1,000 pairs (issue #19 part 4): the seeded teacher/student corpus of
``scale_report.py`` scored end to end by ``cec-eval score`` in its own process, recording wall time,
peak RSS and unique sentences/s. A benchmark, not a timed test: it asserts what the corpus and the
run must be, never a speed. The 100,000-pair run is ``python benchmarks/scale_report.py --pairs
100000`` (see docs/benchmarks.md). ``CEC_SCALE_PAIRS`` overrides the size.
"""
from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from scale_report import _SENTENCE, build_pairs, run_score, unique_sentences

N = int(os.environ.get("CEC_SCALE_PAIRS", "1000"))
BACKEND = "onnx-int8" if importlib.util.find_spec("onnxruntime") else "torch"


def test_scale_pairs_end_to_end(benchmark, tmp_path):
    students, teachers = build_pairs(N, seed=0)
    assert (students, teachers) == build_pairs(N, seed=0)  # seeded
    sentences = sum(len(_SENTENCE.split(t)) for t in students + teachers)
    unique = unique_sentences(students + teachers)
    assert unique > 0.6 * sentences  # mostly distinct: de-duplication cannot hide the encoder
    preds, refs = tmp_path / "students.jsonl", tmp_path / "teachers.jsonl"
    preds.write_text("".join(json.dumps({"prediction": s}) + "\n" for s in students), encoding="utf-8")
    refs.write_text("".join(json.dumps({"reference": s}) + "\n" for s in teachers), encoding="utf-8")
    rows = []

    def run():
        rows.append(run_score(preds, refs, BACKEND, "plain", int(os.environ.get("OMP_NUM_THREADS", "1")),
                              tmp_path / "out.json", ["--pred-field", "prediction", "--ref-field", "reference"]))

    benchmark.pedantic(run, rounds=1, iterations=1)
    row = rows[0]
    result = json.loads(Path(tmp_path / "out.json").read_text())
    assert result["n"] == N and (BACKEND == "torch" or f"+{BACKEND}|" in row["signature"])
    benchmark.extra_info.update(pairs=N, unique_sentences=unique, backend=BACKEND, wall_s=row["wall_s"],
                                peak_rss_mb=row["peak_rss_mb"], unique_sentences_per_s=round(unique / row["wall_s"], 1))
    print(f"\n{N} pairs, {unique} unique sentences, {BACKEND}: {row['wall_s']} s wall, "
          f"{row['peak_rss_mb']} MB peak RSS, {unique / row['wall_s']:.0f} unique sentences/s")
