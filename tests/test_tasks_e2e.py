"""The task pack end to end through lm-eval: on the embedded SmolLM2 (hf backend, safetensors and
GGUF, with and without the chat template), on a served model (local-chat-completions against a
local protocol server) with the LLM judge, and through the documented commands from a directory
outside the repository. GPQA rows stay in memory: nothing here logs or writes them."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cec_eval.tasks import TASKS, task_manager
from chat_server import ChatServer

BIN = Path(sys.executable).parent
GEN = {"max_gen_toks": 24}

XML_18 = (
    "<think>\nShe has 16 eggs.\n<causality>\nEating 3 and baking 4 leave 16 - 3 - 4 = 9 eggs to sell.\n"
    "Each egg sold brings $2, so 9 * 2 = $18.\n</causality>\n</think>\nThe answer is 18."
)
QWEN_3 = "<|im_start|>think\nA robe needs 2 bolts of blue fiber.\n<|im_start|>causality\nHalf as much white: 1 bolt. Total 2 + 1 = 3.\n<|im_start|>answer\n#### 3"


def _evaluate(model, tasks, **kw):
    from lm_eval import simple_evaluate

    kw.setdefault("limit", 2)
    kw.setdefault("gen_kwargs", GEN)
    kw.setdefault("log_samples", False)
    kw.setdefault("bootstrap_iters", 0)
    return simple_evaluate(model=model, tasks=list(tasks), task_manager=task_manager(include_defaults=False), **kw)


def _check_cec(metrics: dict, filt: str, refs: str) -> None:
    for d in ("forward", "backward", "sym"):
        value = metrics[f"cec_{d},{filt}"]
        assert 0.0 <= value <= 1.0, (d, value)
    assert metrics[f"cec_signature,{filt}"].startswith("cec:")
    assert metrics[f"cec_signature,{filt}"].endswith(f"|refs:{refs}")
    # Eq. 2: sym is the mean of the two directions, per instance and so for the corpus means
    assert math.isclose(metrics[f"cec_sym,{filt}"], (metrics[f"cec_forward,{filt}"] + metrics[f"cec_backward,{filt}"]) / 2, abs_tol=1e-9)


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """On a shared 2-core machine, torch's second intra-op thread makes generation ~10x slower
    (measured: 24 tokens in 5.8 s with one thread, 68 s with two, under load)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def smol_lm(smollm2_dir):
    from lm_eval.models.huggingface import HFLM

    return HFLM(pretrained=smollm2_dir, device="cpu", dtype="float32", batch_size=2)


# -- served model + judge: exact values ------------------------------------------------------------


def _gsm8k_responder(body: dict) -> str:
    prompt = body["messages"][-1]["content"]
    return XML_18 if "Janet" in prompt else QWEN_3


def _judge_responder(body: dict) -> str:
    content = body["messages"][-1]["content"]
    nonce = re.search(r"marked with the code ([0-9a-f]{16})", content).group(1)
    ref = re.search(rf"<reference-{nonce}>\n(.*?)\n</reference-{nonce}>", content, re.S).group(1)
    cand = re.search(rf"<candidate-{nonce}>\n(.*?)\n</candidate-{nonce}>", content, re.S).group(1)
    last = re.findall(r"\d+", cand)[-1]
    return f"VERDICT-{nonce}: {'CORRECT' if last == ref else 'INCORRECT'}"


def test_served_model_with_judge_exact_values(monkeypatch, tmp_path):
    from cec_eval import get_scorer
    from cec_eval.tasks import data
    from cec_eval.tasks.causality import parse_causal_response

    with ChatServer(responder=_gsm8k_responder, model="served") as model_srv, ChatServer(responder=_judge_responder, model="judge") as judge_srv:
        monkeypatch.setenv("CEC_JUDGE_MODEL", "judge")
        monkeypatch.setenv("CEC_JUDGE_BASE_URL", judge_srv.base_url)
        monkeypatch.setenv("CEC_JUDGE_CACHE", str(tmp_path / "judge.jsonl"))
        out = _evaluate(
            "local-chat-completions",
            ["gsm8k_causal"],
            model_args=f"model=served,base_url={model_srv.base_url}/chat/completions,tokenizer_backend=None,max_retries=1",
            apply_chat_template=True,
            gen_kwargs={"max_gen_toks": 256},  # the test server cuts replies at max_tokens, as a real one
        )
        assert len(model_srv.chat_requests) == 2 and len(judge_srv.chat_requests) == 2
        assert "Question: Janet" in model_srv.chat_requests[0]["messages"][-1]["content"] + model_srv.chat_requests[1]["messages"][-1]["content"]
    m = out["results"]["gsm8k_causal"]
    for filt in ("strict-match", "flexible-extract", "math-verify"):
        assert m[f"exact_match,{filt}"] == 1.0
    assert m["format_compliance,format"] == 1.0
    assert m["judged_acc,judge"] == 1.0 and m["regex_acc,judge"] == 1.0 and m["judge_invalid,judge"] == 0.0
    assert m["judge_signature,judge"] == "judge|api:judge@127.0.0.1|prompt:judge-v1"
    # CEC equals the metric computed directly on the parsed reasoning against the human solutions
    docs = data.gsm8k()["test"].select(range(2))
    reasoning = [parse_causal_response(r).reasoning for r in (XML_18, QWEN_3)]
    expected = get_scorer().score(reasoning, [d["references"] for d in docs])
    assert m["cec_sym,reasoning"] == pytest.approx(expected.mean["sym"], abs=1e-9)
    assert m["cec_forward,reasoning"] == pytest.approx(expected.mean["forward"], abs=1e-9)
    assert m["cec_signature,reasoning"] == expected.signature + "|refs:gsm8k-solution"


def test_served_model_no_judge_configured_gives_no_judge_rows(monkeypatch):
    for var in ("CEC_JUDGE_MODEL", "CEC_JUDGE_BASE_URL", "CEC_JUDGE_HF_MODEL"):
        monkeypatch.delenv(var, raising=False)
    with ChatServer(responder=lambda body: "Rising CO2 traps heat. The trapped heat melts ice.", model="served") as srv:
        out = _evaluate(
            "local-chat-completions",
            ["climate_fever_cec", "gsm8k_causal"],
            model_args=f"model=served,base_url={srv.base_url}/chat/completions,tokenizer_backend=None",
            apply_chat_template=True,
        )
    g = out["results"]["gsm8k_causal"]
    assert not any(k.endswith(",judge") for k in g if not k.endswith("_stderr,judge"))
    assert g["format_compliance,format"] == 0.0 and g["exact_match,strict-match"] == 0.0
    c = out["results"]["climate_fever_cec"]
    _check_cec(c, "explanation", "climate-fever-evidence")
    assert 0.0 < c["rougeL,explanation"] < 1.0 and 0.0 <= c["bleu,explanation"] < 1.0
    # the same constant explanation for both claims: the lexical metrics equal cec_eval.metrics' own
    from cec_eval.metrics import get_metric
    from cec_eval.tasks import data

    docs = data.climate_fever()["test"].select(range(2))
    preds = ["Rising CO2 traps heat. The trapped heat melts ice."] * 2
    for name in ("bleu", "rouge1", "rouge2", "rougeL", "meteor", "bertscore"):
        assert c[f"{name},explanation"] == pytest.approx(get_metric(name).score(preds, [d["references"] for d in docs]).mean, abs=1e-9)


def _claim_echo(body: dict) -> str:
    """An explanation that differs per claim, so per-item scores (and their spread) differ."""
    claim = re.search(r"Claim: (.*)", body["messages"][-1]["content"]).group(1)
    return f"{claim} This happens because greenhouse gases trap heat."


def test_standard_errors_in_lm_eval_table():
    """CEC and lexical rows carry the seeded bootstrap standard error of their per-item scores,
    with lm-eval's bootstrap_iters (0: none); lm-eval's own metrics keep lm-eval's stderr."""
    from lm_eval.utils import make_table

    from cec_eval.metrics import get_metric
    from cec_eval.tasks import data
    from cec_eval.tasks.metrics import bootstrap_stderr

    with ChatServer(responder=_claim_echo, model="served") as srv:
        args = dict(model_args=f"model=served,base_url={srv.base_url}/chat/completions,tokenizer_backend=None", apply_chat_template=True, limit=5)
        out = _evaluate("local-chat-completions", ["climate_fever_cec"], bootstrap_iters=20_000, log_samples=True, **args)
        off = _evaluate("local-chat-completions", ["climate_fever_cec"], bootstrap_iters=0, **args)
    c = out["results"]["climate_fever_cec"]
    # the (explanation, references) items the pipeline scored, as logged
    items = [s["cec_sym"] for s in sorted(out["samples"]["climate_fever_cec"], key=lambda s: s["doc_id"])]
    docs = data.climate_fever()["test"].select(range(5))
    assert [list(i[1]) for i in items] == [d["references"] for d in docs]
    assert len({i[0] for i in items}) == 5 and all(i[0] for i in items)  # five different explanations
    preds, refs = [i[0] for i in items], [list(i[1]) for i in items]
    from cec_eval import get_scorer

    cec = get_scorer().score(preds, refs)
    per_item = {f"cec_{d}": getattr(cec, d) for d in ("forward", "backward", "sym")}
    for name in ("bleu", "rougeL", "meteor"):
        per_item[name] = get_metric(name).score(preds, refs).scores
    for name, scores in per_item.items():
        assert c[f"{name},explanation"] == pytest.approx(math.fsum(scores) / len(scores), abs=1e-9), name
        se = c[f"{name}_stderr,explanation"]
        # the bootstrap SE of these item scores (resampled in another order: equal up to Monte Carlo error)
        assert se == pytest.approx(bootstrap_stderr(scores, 20_000), rel=0.04), name
        assert se == pytest.approx(np.std(scores) / math.sqrt(len(scores)), rel=0.06), name
        assert off["results"]["climate_fever_cec"][f"{name}_stderr,explanation"] == "N/A"
    assert c["cec_signature_stderr,explanation"] == "N/A"  # a string, no stderr
    assert f"{c['cec_sym_stderr,explanation']:.4f}" in make_table(out)


# -- the embedded SmolLM2 ------------------------------------------------------------------------


@pytest.mark.slow
def test_every_task_on_smollm2(smol_lm):
    out = _evaluate(smol_lm, TASKS)
    res = out["results"]
    c = res["climate_fever_cec"]
    _check_cec(c, "explanation", "climate-fever-evidence")
    assert {"bleu,explanation", "rouge1,explanation", "rougeL,explanation"} <= set(c)
    g = res["gsm8k_causal"]
    _check_cec(g, "reasoning", "gsm8k-solution")
    for key in ("exact_match,strict-match", "exact_match,flexible-extract", "exact_match,math-verify", "format_compliance,format"):
        assert g[key] in (0.0, 0.5, 1.0)
    for subset in ("diamond", "main", "extended"):
        r = res[f"gpqa_causal_{subset}"]
        _check_cec(r, "reasoning", f"gpqa-{subset}-explanation")
        assert r["acc,strict-match"] in (0.0, 0.5, 1.0) and r["acc,flexible-extract"] in (0.0, 0.5, 1.0)
        assert r["format_compliance,format"] in (0.0, 0.5, 1.0)
        assert out["n-samples"][f"gpqa_causal_{subset}"]["effective"] == 2
    assert "samples" not in out  # GPQA docs are not kept for logging


@pytest.mark.slow
def test_chat_template_on_and_off(smol_lm):
    kw = dict(limit=1, log_samples=True)
    plain = _evaluate(smol_lm, ["climate_fever_cec"], **kw)
    chat = _evaluate(smol_lm, ["climate_fever_cec"], apply_chat_template=True, **kw)
    p_prompt = plain["samples"]["climate_fever_cec"][0]["arguments"][0][0]
    c_prompt = chat["samples"]["climate_fever_cec"][0]["arguments"][0][0]
    assert p_prompt.startswith("Claim: ") and "<|im_start|>user" in c_prompt and "Claim: " in c_prompt
    for out in (plain, chat):
        _check_cec(out["results"]["climate_fever_cec"], "explanation", "climate-fever-evidence")


@pytest.mark.slow
def test_gguf_file(smollm2_gguf):
    folder, gguf = smollm2_gguf
    out = _evaluate("hf", ["gsm8k_causal"], limit=1, model_args=f"pretrained={folder},gguf_file={gguf},dtype=float32", device="cpu", gen_kwargs={"max_gen_toks": 16})
    g = out["results"]["gsm8k_causal"]
    _check_cec(g, "reasoning", "gsm8k-solution")
    assert gguf in str(out["config"]["model_args"])


# -- the documented commands, from outside the repository ----------------------------------------


def _env() -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    for var in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE"):
        env[var] = "1"
    env["OMP_NUM_THREADS"] = "1"  # see _one_torch_thread
    return env


@pytest.mark.slow
def test_documented_lm_eval_command_outside_repo(tmp_path, smollm2_gguf):
    """The design card's first command, exactly as typed (no --include_path, no --device), from an
    empty folder: the CEC rows print with standard errors."""
    folder, gguf = smollm2_gguf
    cmd = (
        f"lm_eval --model hf --model_args pretrained={folder},gguf_file={gguf} --tasks climate_fever_cec --limit 2 "
        "--gen_kwargs max_gen_toks=24 --output_path results"
    )
    proc = subprocess.run(["bash", "-c", cmd], cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "refs:climate-fever-evidence" in proc.stdout
    for name in ("cec_sym", "cec_forward", "cec_backward", "rougeL"):
        row = next(line for line in proc.stdout.splitlines() if f"|{name} " in line)
        assert re.search(r"\|±\s*\|\s*\d\.\d{4}\|$", row), row  # a number in the Stderr column, not N/A
    files = list((tmp_path / "results").rglob("results_*.json"))
    assert len(files) == 1
    res = json.loads(files[0].read_text())["results"]["climate_fever_cec"]
    assert 0.0 <= res["cec_sym,explanation"] <= 1.0 and isinstance(res["cec_sym_stderr,explanation"], float)


def test_wrapper_command_outside_repo_with_a_served_model(tmp_path):
    with ChatServer(responder=_gsm8k_responder, model="served") as srv:
        cmd = [
            str(BIN / "cec-eval"), "lm-eval", "run", "--model", "local-chat-completions",
            "--model_args", f"model=served,base_url={srv.base_url}/chat/completions,tokenizer_backend=None",
            "--apply_chat_template", "--tasks", "gsm8k_causal", "--limit", "2", "--output_path", "out",
        ]
        proc = subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())
    res = written["results"]["gsm8k_causal"]
    assert res["exact_match,strict-match"] == 1.0 and res["format_compliance,format"] == 1.0
    # the environment the numbers were computed in travels with them
    from cec_eval.fingerprint import environment_fingerprint

    assert written["configs"]["gsm8k_causal"]["metadata"]["cec_eval_environment"] == environment_fingerprint()


def test_wrapper_argv():
    from cec_eval.commands.lm_eval import build_argv

    # passed on unchanged (the hook finds the tasks; a user's --include_path is theirs)
    assert build_argv(["run", "--tasks", "x", "--include_path", "/mine"]) == (["run", "--tasks", "x", "--include_path", "/mine"], False)
    assert build_argv(["--", "--tasks", "x"]) == (["run", "--tasks", "x"], False)
    assert build_argv(["ls", "tasks"]) == (["ls", "tasks"], False)
    assert build_argv(["run"]) == (["run"], False) and build_argv([]) == (["--help"], False)
    # the opt-in is cec-eval's own: taken out wherever it stands
    assert build_argv(["--allow-gpqa-plaintext", "--tasks", "x", "-s"]) == (["run", "--tasks", "x", "-s"], True)
    assert build_argv(["run", "--tasks", "x", "--allow-gpqa-plaintext"]) == (["run", "--tasks", "x"], True)


def test_wrapper_refuses_gpqa_plaintext(tmp_path, capsys):
    from cec_eval.cli import main
    from cec_eval.commands.lm_eval import check_gpqa_plaintext

    base = ["run", "--model", "hf", "--model_args", "pretrained=/nowhere", "--output_path", str(tmp_path / "out")]
    # every way of asking for the rows on disk, every way of naming a GPQA task
    group = tmp_path / "mine"
    group.mkdir()
    (group / "my_group.yaml").write_text("group: my_group\ntask:\n  - gsm8k_causal\n  - task: gpqa_causal_main\n")
    config = tmp_path / "run.yaml"
    config.write_text("tasks: [gpqa_causal_extended]\nlog_samples: true\n")
    refused = {
        ("--tasks", "gpqa_causal_diamond", "--log_samples"): "gpqa_causal_diamond",
        ("--tasks", "cec_eval", "-s"): "gpqa_causal_diamond, gpqa_causal_extended, gpqa_causal_main",
        ("--tasks", "climate_fever_cec,gpqa_causal_ma*", "--predict_only"): "gpqa_causal_main",
        ("--tasks", "gpqa_causal_diamond", "--cache_requests"): "gpqa_causal_diamond",
        ("--tasks", "gpqa_causal_diamond", "--log_sam"): "gpqa_causal_diamond",  # argparse abbreviation
        ("--tasks", "my_group", "--include_path", str(group), "-s"): "gpqa_causal_main",
        ("--tasks", str(group / "my_group.yaml"), "-s"): "gpqa_causal_main",
        ("--config", str(config)): "gpqa_causal_extended",
    }
    for extra, names in refused.items():
        assert main(["lm-eval", *base, *extra]) == 2, extra
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and f"with {names} would write GPQA questions" in err, (extra, err)
        assert "--allow-gpqa-plaintext" in err and "plain text" in err
        check_gpqa_plaintext([*base, *extra], allow=True)  # opted in: no refusal
    assert not (tmp_path / "out").exists()
    # allowed: no rows written, or no GPQA task
    for extra in (("--tasks", "gpqa_causal_diamond"), ("--tasks", "climate_fever_cec,gsm8k_causal", "-s"),
                  ("--tasks", "gpqa_causal_diamond", "--cache_requests", "delete")):
        check_gpqa_plaintext([*base, *extra], allow=False)


def test_wrapper_records_the_environment_and_keeps_config_metadata(tmp_path):
    from cec_eval.commands.lm_eval import with_environment
    from cec_eval.fingerprint import environment_fingerprint

    fp = environment_fingerprint()
    argv = ["run", "--tasks", "climate_fever_cec", "--metadata", '{"references": "t.jsonl"}']
    assert with_environment(argv) == ["run", "--metadata", json.dumps({"cec_eval_environment": fp}), *argv[1:]]
    config = tmp_path / "run.yaml"
    config.write_text("tasks: [climate_fever_cec]\nmetadata: {references: teacher.jsonl, cec_variant: causal}\n")
    out = with_environment(["run", "--config", str(config)])
    assert json.loads(out[2]) == {"references": "teacher.jsonl", "cec_variant": "causal", "cec_eval_environment": fp}
    assert with_environment(["ls", "tasks"]) == ["ls", "tasks"] and with_environment(["run", "-h"]) == ["run", "-h"]


def test_wrapper_takes_lm_eval_options_verbatim():
    from cec_eval.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["lm-eval", "--model", "hf", "--tasks", "gsm8k_causal", "--limit", "2"])
    assert args.lm_eval_args == ["--model", "hf", "--tasks", "gsm8k_causal", "--limit", "2"] and callable(args._run)
    assert parser.parse_args(["lm-eval", "run", "-h"]).lm_eval_args == ["run", "-h"]
    assert parser.parse_args(["lm-eval"]).lm_eval_args == []


def test_tasks_path_command(capsys):
    from cec_eval.cli import main
    from cec_eval.tasks import include_path

    assert main(["tasks-path"]) == 0
    assert capsys.readouterr().out.strip() == include_path()


@pytest.mark.slow
def test_quickstart(capsys):
    from cec_eval.cli import main

    assert main(["quickstart", "--limit", "2", "--max-gen-toks", "24"]) == 0
    out = capsys.readouterr().out
    assert "climate_fever_cec" in out and "cec_sym" in out
    assert re.search(r"^CEC signature: cec:.*\|refs:climate-fever-evidence$", out, re.M)
