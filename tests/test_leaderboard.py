"""Leaderboard: spec parsing, pairing, cache keys, significance, atomic writes (fast), and one real
end-to-end run on SmolLM2-135M-Instruct base vs a small LoRA adapter (slow, module-scoped)."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from cec_eval import leaderboard as lb
from cec_eval.errors import InputError

TASK = "climate_fever_cec"


# -- parsing and pairing ---------------------------------------------------------------------------
def test_parse_checkpoint_forms():
    c = lb.parse_checkpoint("base=/models/smol")
    assert (c.name, c.model, c.model_args) == ("base", "hf", {"pretrained": "/models/smol"})
    c = lb.parse_checkpoint("claire=pretrained=/m,peft=/a,trust_remote_code=true,max_length=512")
    assert c.model == "hf"
    assert c.model_args == {"pretrained": "/m", "peft": "/a", "trust_remote_code": True, "max_length": 512}
    c = lb.parse_checkpoint("s=local-chat-completions:model=x,base_url=http://127.0.0.1:8000/v1/chat/completions")
    assert c.model == "local-chat-completions"
    assert c.model_args["base_url"] == "http://127.0.0.1:8000/v1/chat/completions"
    c = lb.parse_checkpoint("v=vllm:pretrained=/m,tensor_parallel_size=2")
    assert (c.model, c.model_args["tensor_parallel_size"]) == ("vllm", 2)


@pytest.mark.parametrize("text,needle", [("noequals", "NAME=SPEC"), ("bad name=/m", "checkpoint name"), ("x=a=1,junk", "'junk' is not key=value")])
def test_parse_checkpoint_errors(text, needle):
    with pytest.raises(InputError, match=needle):
        lb.parse_checkpoint(text)


def test_pairing_default_first_and_explicit():
    cps = lb.pair_checkpoints([lb.Checkpoint("b", model_args={"pretrained": "x"}), lb.Checkpoint("ft", model_args={"pretrained": "y"})])
    assert [c.base for c in cps] == [None, "b"]
    cps = lb.pair_checkpoints(
        [lb.Checkpoint("b1", model_args={"p": 1}), lb.Checkpoint("f1", model_args={"p": 2}, base="b1"),
         lb.Checkpoint("b2", model_args={"p": 3}), lb.Checkpoint("f2", model_args={"p": 4}, base="b2")]
    )
    assert [c.base for c in cps] == [None, "b1", None, "b2"]
    with pytest.raises(InputError, match="unique"):
        lb.pair_checkpoints([lb.Checkpoint("a"), lb.Checkpoint("a")])
    with pytest.raises(InputError, match="--base 'zz'"):
        lb.pair_checkpoints([lb.Checkpoint("a")], base="zz")
    with pytest.raises(InputError, match="base 'nope' is not a checkpoint"):
        lb.pair_checkpoints([lb.Checkpoint("a"), lb.Checkpoint("b", base="nope")])


def test_load_config_yaml_and_errors(tmp_path):
    p = tmp_path / "lb.yaml"
    p.write_text("tasks: [gsm8k_causal]\nlimit: 3\ncheckpoints:\n  - {name: b, model_args: /m}\n"
                 "  - {name: f, model_args: {pretrained: /m, peft: /a}, base: b}\n")
    cfg = lb.load_config(p)
    assert cfg["tasks"] == ["gsm8k_causal"] and cfg["limit"] == 3
    assert cfg["checkpoints"][1].model_args == {"pretrained": "/m", "peft": "/a"}
    p.write_text("checkpoints:\n  - {name: b, model_args: /m, colour: red}\n")
    with pytest.raises(InputError, match=r"checkpoints\[0\]: unknown field\(s\) \['colour'\]"):
        lb.load_config(p)
    p.write_text("checkpoints:\n  - {model_args: /m}\n")
    with pytest.raises(InputError, match=r"checkpoints\[0\]: needs a mapping with 'name'"):
        lb.load_config(p)


def test_secrets_never_written_nor_hashed():
    c = lb.Checkpoint("s", "local-chat-completions", {"model": "m", "api_key": "sk-SECRET123"})
    assert "sk-SECRET123" not in json.dumps(c.to_dict())
    k1, inputs = lb.cache_key(c, TASK, 2, {})
    assert "sk-SECRET123" not in json.dumps(inputs, default=str)
    c2 = lb.Checkpoint("s", "local-chat-completions", {"model": "m", "api_key": "sk-OTHER"})
    assert lb.cache_key(c2, TASK, 2, {})[0] == k1
    assert "sk-SECRET123" not in lb._error_text(RuntimeError("bad api_key=sk-SECRET123 given"))
    assert lb._redact({"config": {"model_args": "model=m,api_key=sk-SECRET123"}}) == {"config": {"model_args": "model=m,api_key=<redacted>"}}


def test_cache_key_inputs(tmp_path):
    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "adapter_model.safetensors").write_bytes(b"0" * 10)
    c = lb.Checkpoint("a", model_args={"pretrained": "/m", "peft": str(folder)})
    k = lb.cache_key(c, TASK, 2, {"gen_kwargs": None})[0]
    assert lb.cache_key(lb.Checkpoint("renamed", model_args=dict(c.model_args)), TASK, 2, {"gen_kwargs": None})[0] == k
    assert lb.cache_key(c, TASK, 3, {"gen_kwargs": None})[0] != k
    assert lb.cache_key(c, "gsm8k_causal", 2, {"gen_kwargs": None})[0] != k
    assert lb.cache_key(c, TASK, 2, {"gen_kwargs": {"max_gen_toks": 8}})[0] != k
    (folder / "adapter_model.safetensors").write_bytes(b"1" * 11)  # retrained in place
    assert lb.cache_key(c, TASK, 2, {"gen_kwargs": None})[0] != k


def test_paired_significance_values():
    base = {"0": 0.0, "1": 0.0, "2": 1.0, "3": 0.0, "9": 0.5}
    ft = {"0": 1.0, "1": 1.0, "2": 1.0, "3": 1.0, "7": 0.0}
    r = lb.paired_significance(base, ft)
    assert r["n_paired"] == 4  # docs 7 and 9 are not in both
    assert r["delta"] == pytest.approx(0.75)
    # 3 non-zero differences, all +1: exact sign test, two-sided p = 2 / 2**3
    assert r["pvalue"] == pytest.approx(0.25) and r["significant"] is False and r["test"] == "Wilcoxon signed-rank"
    many = lb.paired_significance({str(i): 0.0 for i in range(12)}, {str(i): 1.0 for i in range(12)})
    assert many["pvalue"] == pytest.approx(2 / 2**12) and many["significant"] is True
    r = lb.paired_significance({"0": 1.0}, {"0": 0.0})
    assert r["delta"] == -1.0 and r["pvalue"] is None and "need at least 2" in r["reason"]
    assert lb.paired_significance({"0": 1.0}, {"1": 0.0})["reason"] == "no doc ids in common"
    same = lb.paired_significance({"0": 0.3, "1": 0.4}, {"0": 0.3, "1": 0.4})
    assert same["delta"] == 0 and same["pvalue"] is None and "identical" in same["reason"]


def test_atomic_entry_write(tmp_path):
    final = tmp_path / "results" / TASK / "k1"

    class Unserialisable:
        def __str__(self):
            raise RuntimeError("boom mid-write")

    with pytest.raises(RuntimeError, match="boom"):
        lb._write_entry(final, {"results.json": {"ok": 1}, "samples.jsonl": [{"x": Unserialisable()}]})
    assert not final.exists() and list(final.parent.iterdir()) == []  # nothing half-written
    lb._write_entry(final, {"results.json": {"ok": 1}, "meta.json": {}})
    assert json.loads((final / "results.json").read_text()) == {"ok": 1}


def test_private_task_samples_hold_no_dataset_text():
    secret_q, secret_expl = "QUESTION-TEXT-XYZ", "EXPERT-EXPLANATION-XYZ"
    samples = [{"doc_id": 3, "doc": {"question": secret_q}, "arguments": [[secret_q, {}]], "target": "B",
                "resps": [["model says B"]], "filtered_resps": ["B"], "filter": "reasoning",
                "metrics": ["cec_sym", "cec_signature", "acc"], "cec_sym": ["pred", [secret_expl], "gpqa", None],
                "cec_signature": ["pred", [secret_expl], "gpqa", None], "acc": 1.0, "doc_hash": "h"}]
    scores = {"reasoning": {"cec_sym": {"3": 0.42}, "acc": {"3": 1.0}}}
    out = lb.private_samples(samples, scores)
    text = json.dumps(out)
    assert secret_q not in text and secret_expl not in text
    assert out[0]["cec_sym"] == 0.42 and out[0]["acc"] == 1.0 and out[0]["cec_signature"].startswith("<withheld")
    assert out[0]["doc_id"] == 3 and out[0]["resps"] == [["model says B"]]


def test_cache_key_holds_the_environment_fingerprint(monkeypatch):
    from cec_eval.fingerprint import environment_fingerprint

    c = lb.Checkpoint("a", model_args={"pretrained": "/m"})
    key, inputs = lb.cache_key(c, TASK, 2, {})
    assert inputs["environment"] == environment_fingerprint() and len(inputs["environment"]) == 12
    monkeypatch.setattr(lb.cache, "environment_fingerprint", lambda: "000000000000")  # another environment
    assert lb.cache_key(c, TASK, 2, {})[0] != key
    # GPQA kept in plain text keys apart; other tasks are not affected by the flag
    assert lb.cache_key(c, "gpqa_causal_main", 2, {}, True)[0] != lb.cache_key(c, "gpqa_causal_main", 2, {})[0]
    assert lb.cache_key(c, TASK, 2, {}, True)[0] == lb.cache_key(c, TASK, 2, {})[0]


def _fake_evaluate(seen: list):
    """lm-eval's simple_evaluate as far as the leaderboard uses it, recording the process state."""
    import torch

    def evaluate(model, tasks, **kw):
        seen.append({"threads": torch.get_num_threads(), "offline": os.environ.get("HF_DATASETS_OFFLINE")})
        task = tasks[0]
        sample = {"doc_id": 0, "filter": "strict-match", "metrics": ["acc"], "acc": 1.0, "doc": {"question": "Q-SECRET-1"},
                  "arguments": [["Q-SECRET-1", {}]], "target": "A", "resps": [["A"]], "filtered_resps": ["A"]}
        return {"results": {task: {"acc,strict-match": 1.0}}, "samples": {task: [sample]}}

    return evaluate


def test_run_scopes_process_state_and_keeps_gpqa_encrypted(tmp_path, monkeypatch):
    """Offline switches and torch threads hold during the evaluations only; the environment
    fingerprint is written; GPQA rows lose their text unless the user opts in (said in one line)."""
    import io

    import torch

    from cec_eval.fingerprint import environment_fingerprint

    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    before = torch.get_num_threads()
    want = 2 if before == 1 else 1
    cps = [lb.Checkpoint("d", model="dummy", model_args={"x": 1})]
    task = "gpqa_causal_main"
    for plaintext in (False, True):
        seen, err = [], io.StringIO()
        config = lb.EvalConfig(limit=1, threads=want, gpqa_plaintext=plaintext)
        lb.run_leaderboard(cps, [task], tmp_path, config, evaluate=_fake_evaluate(seen), plots=False, stderr=err)
        assert seen == [{"threads": want, "offline": "1"}]
        assert torch.get_num_threads() == before and "HF_DATASETS_OFFLINE" not in os.environ
        note = [line for line in err.getvalue().splitlines() if "gpqa_causal_main samples are stored without" in line]
        assert len(note) == (0 if plaintext else 1) and (plaintext or "plain text" in note[0])
    dirs = sorted((tmp_path / "results" / task).iterdir())
    assert len(dirs) == 2  # one entry per kind of samples file
    texts = {d: (d / "samples.jsonl").read_text() for d in dirs}
    assert sorted("Q-SECRET-1" in t for t in texts.values()) == [False, True]
    for d in dirs:
        assert json.loads((d / "results.json").read_text())["environment_fingerprint"] == environment_fingerprint()
        assert json.loads((d / "meta.json").read_text())["key_inputs"]["environment"] == environment_fingerprint()


@pytest.mark.parametrize("argv,needle", [
    (["--limit", "0"], "--limit: must be positive"),
    (["--limit", "2.5"], "--limit: a count must be whole"),
    (["--max-gen-toks", "0"], "--max-gen-toks: must be at least 1"),
    (["--metadata", "{bad"], "--metadata: not JSON"),
    (["--base", "nobody"], "--base 'nobody'"),
])
def test_cli_bad_input_is_named(argv, needle, tmp_path):
    from cec_eval.commands import leaderboard as cmd
    import argparse

    parser = argparse.ArgumentParser()
    cmd.add_arguments(parser)
    args = parser.parse_args(["-c", "a=/m", "-o", str(tmp_path)] + argv)
    with pytest.raises(InputError, match=needle):
        cmd.run(args)


def test_unknown_task_is_named():
    with pytest.raises(InputError, match="task 'nope' is not one of"):
        lb.run_leaderboard([lb.Checkpoint("a", model_args={"pretrained": "/m"})], ["nope"], "/tmp/unused-lb")


# -- end to end on SmolLM2 -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def adapter_dir(tmp_path_factory, smollm2_dir):
    """A small LoRA adapter on SmolLM2 (random, non-zero B so outputs differ from the base)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(smollm2_dir, dtype=torch.float32)
    cfg = LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj"], init_lora_weights=False, task_type="CAUSAL_LM")
    out = tmp_path_factory.mktemp("lora") / "adapter"
    get_peft_model(model, cfg).save_pretrained(str(out))
    return str(out)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory, smollm2_dir, adapter_dir):
    out = tmp_path_factory.mktemp("leaderboard")
    cps = [
        lb.Checkpoint("base", model_args={"pretrained": smollm2_dir}),
        lb.Checkpoint("claire", model_args={"pretrained": smollm2_dir, "peft": adapter_dir}),
        lb.Checkpoint("broken", model_args={"pretrained": str(out / "no-such-model")}),
    ]
    # one torch thread: on the shared 2-core CI box, 2 oversubscribed threads were ~10x slower
    config = lb.EvalConfig(limit=2, gen_kwargs={"max_gen_toks": 32}, batch_size=2, threads=1)
    import torch

    before, threads = dict(lb.EVALUATIONS), torch.get_num_threads()
    errors = out / "stderr.txt"
    try:
        with open(errors, "w") as fh:
            board = lb.run_leaderboard(cps, [TASK], out, config, base="base", stderr=fh)
    finally:
        torch.set_num_threads(threads)  # leave the rest of the session as it was
    return {"out": out, "board": board, "config": config, "smollm2": smollm2_dir, "adapter": adapter_dir,
            "calls": {k: lb.EVALUATIONS[k] - before[k] for k in before}, "stderr": errors.read_text()}


@pytest.mark.slow
def test_e2e_runs_and_keeps_raw_files(e2e):
    assert e2e["calls"] == {"simple_evaluate": 2, "model_loads": 2}  # one load per working checkpoint
    entries = sorted((e2e["out"] / "results" / TASK).iterdir())
    assert len(entries) == 2
    for d in entries:
        assert {p.name for p in d.iterdir()} == {"results.json", "samples.jsonl", "scores.json", "meta.json"}
        samples = [json.loads(line) for line in (d / "samples.jsonl").read_text().splitlines()]
        assert sorted(s["doc_id"] for s in samples) == [0, 1]
        results = json.loads((d / "results.json").read_text())["results"][TASK]
        scores = json.loads((d / "scores.json").read_text())["explanation"]
        # per-sample CEC re-scored item by item averages to lm-eval's corpus-level value
        for kind in ("cec_sym", "cec_forward", "cec_backward"):
            per = scores[kind]
            assert sorted(per) == ["0", "1"]
            assert sum(per.values()) / 2 == pytest.approx(results[f"{kind},explanation"], abs=1e-6)


@pytest.mark.slow
def test_e2e_table_delta_and_failure(e2e):
    board = e2e["board"]
    by_name = {r["name"]: r for r in board.rows}
    col = f"{TASK}/cec_sym,explanation"
    assert [c["id"] for c in board.columns] == [col]
    b, f = by_name["base"]["cells"][col], by_name["claire"]["cells"][col]
    assert b["n"] == f["n"] == 2 and "delta" not in b
    assert f["delta"] == pytest.approx(f["value"] - b["value"])
    assert f["n_paired"] == 2
    assert f["pvalue"] is None or 0 < f["pvalue"] <= 1
    # the broken checkpoint is reported everywhere while the others completed
    assert by_name["broken"]["cells"] == {}
    assert "does not exist" in by_name["broken"]["errors"][TASK]
    assert "checkpoint 'broken'" in e2e["stderr"] and "does not exist" in e2e["stderr"]
    out = e2e["out"]
    assert json.loads((out / "errors.json").read_text())[0]["checkpoint"] == "broken"
    md = (out / "leaderboard.md").read_text()
    assert "| broken | base | ERROR |" in md and f"{f['delta']:+.4f}" in md
    rows = list(csv.DictReader((out / "leaderboard.csv").open()))
    assert [r["checkpoint"] for r in rows] == ["base", "claire", "broken"]
    assert float(rows[1]["value"]) == pytest.approx(f["value"])
    data = json.loads((out / "leaderboard.json").read_text())
    assert data["rows"][1]["cells"][col]["value"] == pytest.approx(f["value"])
    for png in ("overview.png", f"{TASK}.png"):
        head = (out / "plots" / png).read_bytes()[:8]
        assert head == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image

    assert matplotlib.image.imread(out / "plots" / f"{TASK}.png").shape[0] > 100


@pytest.mark.slow
def test_e2e_cache_reuse_without_lm_eval(e2e):
    out = e2e["out"]
    files = sorted((out / "results").rglob("*.json*"))
    mtimes = {p: p.stat().st_mtime_ns for p in files}

    def refuse(**kwargs):  # any call into lm-eval would fail the test
        raise AssertionError("lm-eval called although results are cached")

    before = dict(lb.EVALUATIONS)
    cps = [
        lb.Checkpoint("base", model_args={"pretrained": e2e["smollm2"]}),
        lb.Checkpoint("claire", model_args={"pretrained": e2e["smollm2"], "peft": e2e["adapter"]}),
        # a new name for the same spec: reused too (the name is not part of the key)
        lb.Checkpoint("claire-again", model_args={"pretrained": e2e["smollm2"], "peft": e2e["adapter"]}),
    ]
    board = lb.run_leaderboard(cps, [TASK], out, e2e["config"], base="base", evaluate=refuse, stderr=open(os.devnull, "w"))
    assert lb.EVALUATIONS == before  # no model load, no simple_evaluate
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes
    assert sorted((out / "results").rglob("*.json*")) == files
    col = f"{TASK}/cec_sym,explanation"
    again = {r["name"]: r["cells"][col]["value"] for r in board.rows}
    first = {r["name"]: r["cells"].get(col, {}).get("value") for r in e2e["board"].rows}
    assert again == {"base": first["base"], "claire": first["claire"], "claire-again": first["claire"]}
    assert board.errors == []


@pytest.mark.slow
def test_cli_from_cache(e2e, capsys):
    """The CLI on the cached output dir: prints the table, no evaluation, exit 0."""
    from cec_eval.cli import main

    out = e2e["out"]
    before = dict(lb.EVALUATIONS)
    rc = main(["leaderboard", "-c", f"base={e2e['smollm2']}", "-c", f"claire=pretrained={e2e['smollm2']},peft={e2e['adapter']}",
               "--tasks", TASK, "--limit", "2", "--max-gen-toks", "32", "--batch-size", "2", "-o", str(out), "--no-plots"])
    assert rc == 0 and lb.EVALUATIONS == before
    printed = capsys.readouterr().out
    assert printed.startswith("| checkpoint | base | climate_fever_cec/cec_sym,explanation | Δ |")
    assert "| claire | base |" in printed
