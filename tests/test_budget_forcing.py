"""Budget forcing (``--model hf-budget``, cec_eval.tasks.budget_forcing) on the embedded SmolLM2:
exact token-level checks against plain greedy generation, the s1 "Wait" extension, registration
with lm-eval, and the command line recording the budget in the results."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cec_eval.tasks import budget_forcing as bf

QUESTION = "Tom has 3 apples and buys 4 more. How many apples does he have?"
UNTIL = ["Question:", "<|im_end|>"]


@pytest.fixture(scope="module")
def lm(smollm2_dir):
    from cec_eval.runtime import torch_threads

    with torch_threads(1):
        yield bf.BudgetForcingLM(pretrained=smollm2_dir, device="cpu", dtype="float32", batch_size=1)


def _prompt(lm, text: str) -> list[int]:
    chat = lm.tokenizer.apply_chat_template([{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True)
    return lm.tokenizer.encode(chat, add_special_tokens=False)


def _greedy(lm, ids: list[int], n: int) -> list[int]:
    """Plain greedy generation with the same stops (what --model hf produces)."""
    import torch

    out = lm.model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                            max_new_tokens=n, do_sample=False, stop_strings=["Question:"], tokenizer=lm.tokenizer,
                            pad_token_id=lm.tokenizer.pad_token_id)
    new = out[0, len(ids):].tolist()
    eos = set(lm._eos_ids())
    while new and new[-1] in eos:
        new.pop()
    return new


def _run(lm, ids, max_new, **settings):
    for k, v in {"think_budget": None, "extend": 0, "answer_budget": None, "answer_prefix": "The answer is", **settings}.items():
        setattr(lm, k, v)
    with __import__("cec_eval.runtime", fromlist=["torch_threads"]).torch_threads(1):
        return lm.force_row(ids, max_new, UNTIL, lm._sampling({"do_sample": False}))


def test_no_budget_is_plain_greedy_generation(lm):
    ids = _prompt(lm, QUESTION)
    assert _run(lm, ids, 12) == _greedy(lm, ids, 12)


def test_cap_keeps_the_first_n_thinking_tokens_then_forces_the_answer(lm):
    ids = _prompt(lm, QUESTION)
    plain = _greedy(lm, ids, 12)
    before = lm.stats.capped
    new = _run(lm, ids, 40, think_budget=8, answer_budget=6)
    assert new[:8] == plain[:8]  # the think phase is the model's own greedy text
    forced = lm.tokenizer.encode("\n</think>\nThe answer is", add_special_tokens=False)
    assert new[8:8 + len(forced)] == forced
    assert len(new) <= 8 + len(forced) + 6
    assert lm.stats.capped == before + 1


def test_zero_budget_answers_at_once_and_max_gen_toks_is_a_hard_limit(lm):
    ids = _prompt(lm, QUESTION)
    text = lm.tokenizer.decode(_run(lm, ids, 12, think_budget=0, answer_prefix=""))
    assert text.startswith("\n</think>\n")
    assert len(_run(lm, ids, 5, think_budget=3)) <= 5


def test_extension_replaces_the_models_stop_with_wait(lm):
    """s1: when the model ends (here: EOS after a short reply), 'Wait' is appended and it goes on."""
    ids = _prompt(lm, "Say hello.")
    plain = _greedy(lm, ids, 40)
    assert len(plain) < 40  # the model stops by itself within the room
    plain_text = lm.tokenizer.decode(plain, skip_special_tokens=True)
    before = lm.stats.waits
    text = lm.tokenizer.decode(_run(lm, ids, len(plain) + 12, extend=1), skip_special_tokens=True)
    assert text.startswith(plain_text.rstrip() + "\nWait")
    assert lm.stats.waits == before + 1


def test_bad_arguments_are_one_clear_error():
    with pytest.raises(ValueError, match=r"think_budget=-1 is negative"):
        bf._none_or_int("-1", "think_budget")
    with pytest.raises(ValueError, match=r"extend='x' is not a whole number"):
        bf._none_or_int("x", "extend")
    assert bf._none_or_int("none", "think_budget") is None and bf._none_or_int("0", "extend") == 0


def test_register_keeps_lm_evals_own_models():
    """In a fresh interpreter: registering first must not hide 'hf' (lm-eval imports its models only
    while the registry is empty), and the name resolves to the class."""
    code = ("from cec_eval.tasks.budget_forcing import register, BudgetForcingLM\n"
            "register(); register()\n"
            "from lm_eval.api.registry import get_model\n"
            "from lm_eval.models.huggingface import HFLM\n"
            "assert get_model('hf') is HFLM and get_model('hf-budget') is BudgetForcingLM\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


@pytest.mark.slow
def test_command_line_records_the_budget_in_the_results(tmp_path, smollm2_dir):
    env_args = dict(capture_output=True, text=True, timeout=600, cwd=tmp_path)
    cmd = [sys.executable, "-m", "cec_eval.tasks.budget_forcing", "run", "--model", "hf-budget",
           "--model_args", f"pretrained={smollm2_dir},dtype=float32,think_budget=4,extend=0,answer_budget=4",
           "--device", "cpu", "--tasks", "gsm8k_causal", "--limit", "1", "--apply_chat_template",
           "--gen_kwargs", "max_gen_toks=24", "--log_samples", "--output_path", str(tmp_path / "out")]
    out = subprocess.run(cmd, **env_args)
    assert out.returncode == 0, out.stderr[-3000:]
    (results,) = list((tmp_path / "out").rglob("results_*.json"))
    data = json.loads(results.read_text())
    assert data["config"]["model"] == "hf-budget"
    args = data["config"]["model_args"]
    assert (args["think_budget"], args["extend"], args["answer_budget"]) == (4, 0, 4)
    (samples,) = list((tmp_path / "out").rglob("samples_gsm8k_causal_*.jsonl"))
    response = json.loads(samples.read_text().splitlines()[0])["resps"][0][0]
    assert "</think>\nThe answer is" in response
