"""The held-out Claire experiment: sizing arithmetic, training items, the paired comparison on
hand-made scores, and the --smoke run end to end (real SmolLM2 SFT + leaderboard evaluation)."""
from __future__ import annotations

import json

import pytest

from cec_eval.distill import experiment as X
from cec_eval.errors import InputError
from cec_eval.tasks.causality import parse_causal_response


def test_sizing_from_measured_time():
    # 2 steps of 4 examples in 40 s -> 5 s per example
    assert X.seconds_per_example({"train_runtime_s": 40.0, "global_steps": 2},
                                 {"per_device_train_batch_size": 4, "gradient_accumulation_steps": 1}) == 5.0
    # 3600 s x 0.75 / 5 s = 540 examples -> 528 (33 steps of 16)
    assert X.size_for_budget(5.0) == 528
    assert X.size_for_budget(1000.0) == 16  # never below one optimizer step
    with pytest.raises(InputError):
        X.size_for_budget(0.0)


def test_items_are_gsm8k_train_with_compliant_offline_traces():
    items = X.build_items(6, seed=0)
    assert items == X.build_items(6, seed=0)  # deterministic
    assert [it["id"].split(":")[0] for it in items] == ["gsm8k_train"] * 6
    assert len({it["id"] for it in items}) == 6
    for it in items:
        p = parse_causal_response(it["rationale"])
        assert p.compliant and p.answer.strip() == f"The answer is {it['gold']}."
    with pytest.raises(InputError, match="--train-items"):
        X.build_items(0)


def _entry(tmp_path, name, scores):
    d = tmp_path / name
    d.mkdir()
    (d / "scores.json").write_text(json.dumps(scores))
    return {"dir": str(d)}


def test_compare_pairs_by_doc_id_with_ci_and_test(tmp_path):
    base = {"flexible-extract": {"exact_match": {"0": 0.0, "1": 0.0, "2": 1.0, "3": 0.0}}}
    claire = {"flexible-extract": {"exact_match": {"0": 1.0, "1": 1.0, "2": 1.0, "3": 0.0, "9": 1.0}}}
    status = {"base": {"gsm8k_causal": _entry(tmp_path, "b", base)},
              "claire": {"gsm8k_causal": _entry(tmp_path, "c", claire)}}
    [row] = X.compare(status, ["gsm8k_causal"])
    assert (row["task"], row["metric"], row["filter"], row["n"]) == ("gsm8k_causal", "exact_match", "flexible-extract", 4)
    assert row["base"]["mean"] == 0.25 and row["claire"]["mean"] == 0.75 and row["delta"]["mean"] == 0.5
    lo, hi = row["delta"]["ci95"]
    assert 0.0 <= lo <= 0.5 <= hi <= 1.0
    assert row["delta"]["pvalue"] is not None and 0 < row["delta"]["pvalue"] <= 1
    md = X.markdown([row])
    assert "| gsm8k_causal | exact_match | flexible-extract | 4 | 0.250 [" in md
    status["claire"]["gsm8k_causal"] = {"error": "boom"}
    with pytest.raises(InputError, match="'claire' task 'gsm8k_causal' has no result: boom"):
        X.compare(status, ["gsm8k_causal"])


@pytest.mark.slow
def test_smoke_run_end_to_end(tmp_path, capsys):
    from cec_eval.cli import main

    out = tmp_path / "exp"
    assert main(["distill", "experiment", "--smoke", "-o", str(out)]) == 0
    res = json.loads((out / "experiment.json").read_text())
    assert res["data"]["train"] == 8 and res["sft"]["global_steps"] == 2 and res["sft"]["seconds_per_example"] > 0
    assert all(json.loads(l)["id"].startswith("gsm8k_train:") for l in (out / "traces.jsonl").open())
    assert (out / "model" / "adapter" / "adapter_config.json").is_file()
    rows = {(r["task"], r["metric"], r["filter"]): r for r in res["results"]}
    for key in [("gsm8k_causal", "format_compliance", "format"), ("gsm8k_causal", "exact_match", "flexible-extract"),
                ("gsm8k_causal", "exact_match", "math-verify"), ("gsm8k_causal", "cec_sym", "reasoning")]:
        assert rows[key]["n"] == 4 and "ci95" in rows[key]["delta"], key
    assert any(t == "climate_fever_cec" and r["n"] == 4 for (t, _, _), r in rows.items())
    assert "| gsm8k_causal | cec_sym | reasoning | 4 |" in (out / "experiment.md").read_text()

    # the same command again: the finished adapter is reused as it is (no training, no re-save,
    # so its cache key holds) and every evaluation comes from the leaderboard's cache
    adapter_files = {f.name: f.stat().st_mtime_ns for f in (out / "model" / "adapter").iterdir()}
    metrics = (out / "model" / "metrics.json").read_text()
    entries = sorted(p.name for p in (out / "leaderboard").glob("*/results/*/*"))
    assert main(["distill", "experiment", "--smoke", "-o", str(out)]) == 0
    again = json.loads((out / "experiment.json").read_text())
    assert {f.name: f.stat().st_mtime_ns for f in (out / "model" / "adapter").iterdir()} == adapter_files
    assert (out / "model" / "metrics.json").read_text() == metrics
    assert sorted(p.name for p in (out / "leaderboard").glob("*/results/*/*")) == entries
    assert again["results"] == res["results"] and again["sft"]["reused"] is True
    assert again["sft"]["seconds_per_example"] == res["sft"]["seconds_per_example"]
    assert again["sft"]["sft_call_cpu_s"] == res["sft"]["sft_call_cpu_s"]


@pytest.mark.parametrize("argv,needle", [(["--eval-items", "0"], "--eval-items: must be at least 1"),
                                         (["--max-gen-toks", "0"], "--max-gen-toks: must be at least 1"),
                                         (["--set", "lora_rank=8"], "unknown SFT setting 'lora_rank'"),
                                         (["--train-items", "0"], "--train-items: must be at least 1")])
def test_bad_sizes_fail_before_any_work(argv, needle, tmp_path, capsys):
    from cec_eval.cli import main

    assert main(["distill", "experiment", *argv, "-o", str(tmp_path / "x")]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("cec-eval distill: error: ") and needle in line
    assert not (tmp_path / "x").exists()


def test_size_script_grades_replies_by_the_task_rule():
    """benchmarks/claire_gpu.py grades without lm-eval, by the same rule as gsm8k_causal's filters."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "claire_gpu.py"
    spec = importlib.util.spec_from_file_location("claire_gpu", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    docs = module.test_docs(3)
    assert [d["id"] for d in docs] == [0, 1, 2] and docs[0]["gold"] == "18"
    replies = ["<think>\n16 - 3 - 4 = 9 eggs are sold.\n<causality>\n9 eggs cause 18 dollars.\n</causality>\n</think>\n"
               "The answer is 18.",
               "She needs 2 + 1 = 3 bolts, so the total is 3.",
               "<think>\nFirst we"]
    g = module.grade(docs, replies)
    assert g["format_compliance/format"] == {"0": 1.0, "1": 0.0, "2": 0.0}
    assert g["exact_match/strict"] == {"0": 1.0, "1": 0.0, "2": 0.0}
    assert g["exact_match/flexible"]["0"] == 1.0 and g["exact_match/flexible"]["1"] == 1.0
    assert g["truncated/format"]["2"] == 1.0 and g["truncated/format"]["0"] == 0.0
