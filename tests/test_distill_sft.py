"""SFT step: presets as the seeds give them, overrides, the CPU fallback for 4-bit, and a real
few-step LoRA run on SmolLM2 whose loss falls and whose saved adapter reloads."""
from __future__ import annotations

import json

import pytest

from cec_eval.distill.sft import PRESETS, parse_overrides, quantization_plan, resolve_settings
from cec_eval.errors import InputError


def test_presets_match_the_seeds():
    c = resolve_settings("claire")  # seed 002 §4.1-4.2
    assert (c.lora_r, c.lora_alpha, c.lora_dropout, c.target_modules) == (64, 128, 0.05, "all-linear")
    assert (c.learning_rate, c.lr_scheduler_type, c.warmup_ratio, c.weight_decay) == (3e-4, "cosine", 0.05, 1e-4)
    assert (c.per_device_train_batch_size, c.gradient_accumulation_steps, c.num_train_epochs) == (4, 4, 1.0)
    assert not c.load_in_4bit
    p = resolve_settings("cec-paper")  # seed 000 §4.1
    assert (p.load_in_4bit, p.learning_rate, p.per_device_train_batch_size, p.num_train_epochs) == (True, 2e-5, 8, 10.0)
    assert p.gradient_accumulation_steps == 1 and p.max_length is None
    assert set(PRESETS) == {"claire", "cec-paper"}


def test_every_field_can_be_overridden_and_bad_ones_are_named():
    s = resolve_settings("cec-paper", parse_overrides(["lora_r=16", "learning_rate=1e-4", "load_in_4bit=false",
                                                       "max_length=none", "target_modules=q_proj,v_proj"]))
    assert (s.lora_r, s.learning_rate, s.load_in_4bit, s.max_length, s.target_modules) == (
        16, 1e-4, False, None, "q_proj,v_proj")
    with pytest.raises(InputError, match="unknown SFT setting 'rank'"):
        resolve_settings("claire", {"rank": 8})
    with pytest.raises(InputError, match="SFT setting 'lora_r': cannot read 'big'"):
        resolve_settings("claire", {"lora_r": "big"})
    with pytest.raises(InputError, match="--set 'lora_r': expected NAME=VALUE"):
        parse_overrides(["lora_r"])
    with pytest.raises(InputError, match="unknown SFT preset 'qlora'"):
        resolve_settings("qlora")


def test_4bit_falls_back_to_plain_lora_without_cuda():
    import torch

    use, note = quantization_plan(True)
    if torch.cuda.is_available():
        pytest.skip("CUDA present: the 4-bit path is tested by the gpu-marked test")
    assert use is False and "needs CUDA" in note
    assert quantization_plan(False) == (False, "none (plain LoRA)")


def _records(n: int = 4) -> list[dict]:
    facts = ["Heat melts ice because it breaks hydrogen bonds.", "Rain falls because droplets grow heavy.",
             "Wind blows because air pressure differs.", "Rust forms because iron reacts with oxygen."]
    return [{"prompt": [{"role": "user", "content": f"Why? ({i})"}],
             "completion": [{"role": "assistant", "content": facts[i % len(facts)]}]} for i in range(n)]


@pytest.mark.slow
def test_few_step_lora_run_lowers_loss_and_the_adapter_reloads(smollm2_dir, tmp_path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from cec_eval.distill.sft import train

    recs = _records()
    overrides = {"lora_r": 8, "lora_alpha": 16, "learning_rate": 3e-3, "warmup_ratio": 0.0,
                 "per_device_train_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 5,
                 "lr_scheduler_type": "constant", "save_steps": 5, "max_length": 64}
    res = train(recs, tmp_path / "run", base_model=smollm2_dir, preset="claire", overrides=overrides)
    curve = [p["loss"] for p in res["loss_curve"]["train"]]
    assert len(curve) == 5
    assert curve[-1] < curve[0] * 0.8, curve  # one batch seen five times: the loss must fall
    assert res["quantization"] == "none (plain LoRA)"
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["loss_curve"]["train"][0]["loss"] == curve[0]
    card = (tmp_path / "run" / "adapter" / "README.md").read_text()
    assert "preset `claire`" in card and "SmolLM2-135M-Instruct" in card

    # reload: base + saved adapter scores the training text better than the base alone
    tok = AutoTokenizer.from_pretrained(tmp_path / "run" / "adapter")
    text = tok.apply_chat_template(recs[0]["prompt"] + recs[0]["completion"], tokenize=False)
    batch = tok(text, return_tensors="pt")

    def loss(model) -> float:
        with torch.no_grad():
            return float(model(**batch, labels=batch["input_ids"]).loss)

    base = AutoModelForCausalLM.from_pretrained(smollm2_dir)
    before = loss(base)
    tuned = PeftModel.from_pretrained(base, str(tmp_path / "run" / "adapter"))
    assert loss(tuned) < before

    # a finished run with the same inputs is returned as stored: nothing trained or re-saved
    saved = {f.name: f.stat().st_mtime_ns for f in (tmp_path / "run" / "adapter").iterdir()}
    same = train(recs, tmp_path / "run", base_model=smollm2_dir, preset="claire", overrides=overrides)
    assert same["reused"] is True and same["loss_curve"] == res["loss_curve"]
    assert {f.name: f.stat().st_mtime_ns for f in (tmp_path / "run" / "adapter").iterdir()} == saved
    # other settings or data are another run: not the stored one
    from cec_eval.distill.sft import _run_key, finished_run, resolve_settings

    key = _run_key(smollm2_dir, resolve_settings("claire", overrides), recs, None, False)
    assert finished_run(tmp_path / "run", key)["run_key"] == key
    for other in (_run_key(smollm2_dir, resolve_settings("claire", {**overrides, "max_steps": 4}), recs, None, False),
                  _run_key(smollm2_dir, resolve_settings("claire", overrides), recs[:-1], None, False)):
        assert other != key and finished_run(tmp_path / "run", other) is None

    # an interrupted run (metrics.json is written last) resumes from its last checkpoint
    (tmp_path / "run" / "metrics.json").unlink()
    again = train(recs, tmp_path / "run", base_model=smollm2_dir, preset="claire", overrides=overrides)
    assert again["resumed_from"].endswith("checkpoint-5") and again["global_steps"] == 5
    assert "reused" not in again


@pytest.mark.gpu
def test_qlora_4bit_path_on_cuda(smollm2_dir, tmp_path):
    from cec_eval.distill.sft import train

    pytest.importorskip("bitsandbytes")
    res = train(_records(), tmp_path / "q", base_model=smollm2_dir, preset="cec-paper",
                overrides={"max_steps": 2, "num_train_epochs": 1, "learning_rate": 1e-3, "max_length": 64}, merge=True)
    assert res["quantization"].startswith("4-bit NF4")
    assert (tmp_path / "q" / "adapter" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "q" / "merged" / "model.safetensors").is_file()


def test_loss_curve_keeps_train_points_and_one_eval_per_step():
    from cec_eval.distill.sft import loss_curve

    history = [{"loss": 0.5, "step": 1, "learning_rate": 1e-4}, {"loss": 0.25, "step": 2, "learning_rate": 5e-5},
               {"eval_loss": 0.3, "step": 2}, {"eval_loss": 0.3, "step": 2}, {"train_runtime": 3.0, "step": 2}]
    assert loss_curve(history) == {"train": [{"step": 1, "loss": 0.5, "learning_rate": 1e-4},
                                             {"step": 2, "loss": 0.25, "learning_rate": 5e-5}],
                                   "eval": [{"step": 2, "eval_loss": 0.3}]}


def test_micro_batches_keep_the_effective_batch():
    from cec_eval.distill.sft import micro_batches, resolve_settings
    from cec_eval.errors import InputError

    claire = resolve_settings("claire")  # seed 002: 4 x 4 = 16 rows per update
    assert micro_batches(claire, cuda=True) == (4, 4)
    assert micro_batches(claire, cuda=False) == (1, 16)  # CPU: 1 row per pass, same 16 per update
    assert micro_batches(resolve_settings("claire", {"micro_batch_size": 2}), cuda=False) == (2, 8)
    paper = resolve_settings("cec-paper")
    assert micro_batches(paper, cuda=False) == (1, 8) and micro_batches(paper, cuda=True) == (8, 1)
    with pytest.raises(InputError, match="micro_batch_size=3 must divide per_device_train_batch_size=4"):
        micro_batches(resolve_settings("claire", {"micro_batch_size": 3}), cuda=False)
