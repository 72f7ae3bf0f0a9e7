"""Data parallelism: `accelerate launch --num_processes 2 -m lm_eval ...` on CPU (gloo) gives the
same per-sample outputs and scores, the same corpus CEC and the same standard errors as one
process. lm-eval gathers every rank's per-sample items on rank 0 before aggregating, so the CEC
pass runs once over the whole corpus; the items reach it in another order (rank by rank), which
the pack's canonical ordering makes irrelevant. Run from an empty folder, with no --include_path:
the installed hook finds the tasks in every rank."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
TASKS = ("climate_fever_cec", "gsm8k_causal")


def _env() -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    env.update({k: "1" for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")})
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def _run(prefix: list[str], model_dir: str, out: Path, cwd: Path) -> tuple[dict, dict]:
    # batch size 1: greedy outputs then do not depend on which documents share a padded batch
    cmd = prefix + [
        "--model", "hf", "--model_args", f"pretrained={model_dir},dtype=float32", "--device", "cpu",
        "--tasks", ",".join(TASKS), "--limit", "4", "--batch_size", "1", "--gen_kwargs", "max_gen_toks=16",
        "--log_samples", "--output_path", str(out),
    ]
    proc = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(next(out.rglob("results_*.json")).read_text())["results"]
    samples = {}
    for task in TASKS:
        for line in next(out.rglob(f"samples_{task}_*.jsonl")).read_text().splitlines():
            s = json.loads(line)
            samples[(task, s["doc_id"], s["filter"])] = s
    return results, samples


@pytest.mark.slow
def test_two_processes_equal_one(tmp_path, smollm2_dir):
    if shutil.which("accelerate", path=str(BIN)) is None:
        pytest.skip("accelerate is not installed (pip install '.[train]')")
    one_res, one = _run([str(BIN / "lm_eval")], smollm2_dir, tmp_path / "one", tmp_path)
    launch = [str(BIN / "accelerate"), "launch", "--cpu", "--num_processes", "2", "--num_machines", "1",
              "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "lm_eval"]
    two_res, two = _run(launch, smollm2_dir, tmp_path / "two", tmp_path)

    # every (task, doc, filter) once, the same generations, the same per-sample metric values
    assert set(one) == set(two) and {d for (_, d, _) in one} == {0, 1, 2, 3}
    for key, s in one.items():
        t = two[key]
        assert t["filtered_resps"] == s["filtered_resps"], key
        assert t["metrics"] == s["metrics"], key
        for metric in s["metrics"]:
            assert t[metric] == s[metric], (key, metric)
    # per-item CEC scores (as the leaderboard re-scores them) are equal too
    from cec_eval.leaderboard import per_sample_scores

    for task in TASKS:
        a = per_sample_scores([s for (t, _, _), s in one.items() if t == task])
        b = per_sample_scores([s for (t, _, _), s in two.items() if t == task])
        assert a == b and a[next(iter(a))]
    # corpus values, CEC signature and bootstrap standard errors: identical, not just close
    for task in TASKS:
        r1, r2 = one_res[task], two_res[task]
        keys = [k for k in r1 if k.startswith(("cec_", "bleu", "rouge", "meteor", "bertscore", "exact_match", "format_compliance"))]
        assert any(k.startswith("cec_sym_stderr") for k in keys)
        for k in keys:
            assert r2[k] == r1[k], (task, k)
