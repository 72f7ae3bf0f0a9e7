"""``cec-eval distill grpo``: settings and inputs (fast), the trainer's reward wiring, and a real
GRPO run on the embedded SmolLM2 on CPU (group size 2, 16 new tokens, 1 step, then a resume to
step 2 from the saved checkpoint, then a continuation of the saved adapter)."""
from __future__ import annotations

import json

import pytest

from cec_eval.distill import grpo
from cec_eval.errors import InputError

ROWS = [
    {"prompt": "Question: Tom has 3 apples and buys 4 more. How many apples does he have?\n", "gold": "7",
     "completion": "<think>\n<causality>\nBuying 4 more adds to 3: 3 + 4 = 7.\n</causality>\n</think>\nThe answer is 7."},
    {"prompt": "Question: A pen costs $2. How much do 5 pens cost?\n", "gold": "10"},
]


@pytest.fixture(autouse=True)
def _one_torch_thread():
    from cec_eval.runtime import torch_threads

    with torch_threads(1):
        yield


def test_presets_and_overrides():
    s = grpo.resolve_settings("claire-grpo")
    assert (s.lora_r, s.lora_alpha, s.lora_dropout, s.num_generations) == (64, 128, 0.05, 8)
    assert s.reward_weights == {"answer_correct": 1.0, "format_compliance": 0.5}
    s = grpo.resolve_settings("smoke", {"reward_cec_sym": "0.25", "reward_format_compliance": "0"})
    assert s.reward_weights == {"answer_correct": 1.0, "cec_sym": 0.25}
    assert (s.num_generations, s.max_completion_length, s.lora_r) == (2, 24, 8)


@pytest.mark.parametrize("preset, overrides, message", [
    ("nope", {}, "unknown GRPO preset"),
    ("smoke", {"lora_rank": 4}, "unknown GRPO setting 'lora_rank'"),
    ("smoke", {"num_generations": "two"}, "cannot read 'two'"),
    ("smoke", {"num_generations": 1}, "at least 2"),
    ("smoke", {"num_generations": 4}, "not a multiple of num_generations = 4"),
    ("smoke", {"reward_answer_correct": 0, "reward_format_compliance": 0}, "every reward weight is 0"),
])
def test_bad_settings_are_one_clear_error(preset, overrides, message):
    with pytest.raises(InputError, match=message):
        grpo.resolve_settings(preset, overrides)


def test_bad_rows_name_file_row_and_field(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps({"prompt": "q", "gold": "1"}) + "\n" + json.dumps({"prompt": "q", "gold": ""}) + "\n")
    with pytest.raises(InputError, match=r"rows.jsonl: row 1: field 'gold'"):
        grpo.load_rows(path)
    with pytest.raises(InputError, match=r"row 0: field 'kind'"):
        grpo.load_rows([{"prompt": "q", "gold": "1", "kind": "essay"}])
    with pytest.raises(InputError, match=r"row 0: field 'completion' is list"):
        grpo.load_rows([{"prompt": "q", "gold": "1", "completion": ["x"]}])
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(InputError, match="no rows"):
        grpo.load_rows(tmp_path / "empty.jsonl")


def test_policy_from_an_adapter_folder(tmp_path, smollm2_dir):
    assert grpo.resolve_policy(None) == (smollm2_dir, None)
    assert grpo.resolve_policy(smollm2_dir) == (smollm2_dir, None)
    (tmp_path / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": smollm2_dir}))
    assert grpo.resolve_policy(str(tmp_path)) == (smollm2_dir, str(tmp_path))
    with pytest.raises(InputError, match="no such folder"):
        grpo.resolve_policy(str(tmp_path / "missing"))


def test_reward_curve_reads_trls_log_keys():
    history = [{"loss": 0.1, "step": 1},
               {"reward": 0.75, "rewards/answer_correct/mean": 0.5, "rewards/answer_correct/std": 0.7,
                "rewards/format_compliance/mean": 0.5, "step": 1}]
    assert grpo.reward_curve(history) == [{"step": 1, "reward": 0.75, "answer_correct": 0.5, "format_compliance": 0.5}]


@pytest.mark.slow  # ~10 s of CPU (trl import + model load), 28 s wall on a loaded 2-core box
def test_trainer_wires_rewards_weights_lora_and_chat_prompts(tmp_path, smollm2_dir):
    s = grpo.resolve_settings("smoke", {"reward_cec_sym": 0.25})
    trainer = grpo.build_trainer(grpo.load_rows(ROWS), smollm2_dir, tmp_path, s)
    assert trainer.reward_func_names == ["answer_correct", "format_compliance", "cec_sym"]
    assert trainer.reward_weights.tolist() == [1.0, 0.5, 0.25]
    assert trainer.args.num_generations == 2 and trainer.args.max_completion_length == 24
    lora = trainer.model.peft_config["default"]
    assert (lora.r, lora.lora_alpha) == (8, 16)
    row = trainer.train_dataset[0]
    assert row["prompt"] == [{"role": "user", "content": ROWS[0]["prompt"]}]
    assert (row["gold"], row["kind"], row["reference"]) == ("7", "number", ROWS[0]["completion"])
    assert trainer.train_dataset[1]["reference"] is None


@pytest.mark.slow
def test_grpo_runs_resumes_and_continues_an_adapter_on_smollm2(tmp_path, smollm2_dir):
    """One real GRPO step (2 completions of 16 tokens), then the same command with max_steps=2
    resumes from checkpoint-1; then GRPO continues the saved adapter (``--model <adapter>``)."""
    out = tmp_path / "run"
    short = {"max_completion_length": 16}
    first = grpo.train(ROWS, out, preset="smoke", overrides={**short, "max_steps": 1})
    assert first["global_steps"] == 1 and first["resumed_from"] is None
    (step,) = first["reward_curve"]
    assert set(step) == {"step", "reward", "answer_correct", "format_compliance"}
    assert 0.0 <= step["answer_correct"] <= 1.0 and 0.0 <= step["format_compliance"] <= 1.0
    assert step["reward"] == pytest.approx(step["answer_correct"] + 0.5 * step["format_compliance"], abs=1e-3)
    assert (out / "adapter" / "adapter_config.json").is_file() and (out / "checkpoints" / "checkpoint-1").is_dir()
    assert json.loads((out / "metrics.json").read_text())["global_steps"] == 1

    second = grpo.train(ROWS, out, preset="smoke", overrides={**short, "max_steps": 2})
    assert second["resumed_from"].endswith("checkpoint-1") and second["global_steps"] == 2

    cont = grpo.train(ROWS[:1], tmp_path / "cont", model=str(out / "adapter"), preset="smoke",
                      overrides={**short, "max_steps": 1, "reward_format_compliance": 0})
    assert cont["started_from_adapter"] == str(out / "adapter") and cont["base_model"] == smollm2_dir
    assert cont["rewards"] == {"answer_correct": 1.0}
    assert "new LoRA adapter" not in (tmp_path / "cont" / "adapter" / "README.md").read_text()
