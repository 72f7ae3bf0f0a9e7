"""Formatting step: token maps, seeded split, data report, and completion-only loss verified on the
token ids trl's SFTTrainer actually trains on."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval.distill.formatting import apply_token_map, compliant, format_rows, split, to_record
from cec_eval.errors import InputError

TRACE = "<think>\nFirst.\n<causality>\nA causes B.\n</causality>\nSo B.\n</think>\nThe answer is 7."


def test_qwen_token_map_follows_seed_002():
    assert apply_token_map(TRACE, "qwen") == (
        "<|im_start|>think\nFirst.\n<|im_start|>causality\nA causes B.\n\nSo B.\n<|im_start|>answer\nThe answer is 7."
    )
    assert apply_token_map(TRACE, "none") == TRACE
    with pytest.raises(InputError, match="token_map 'llama'"):
        apply_token_map(TRACE, "llama")


def test_both_trace_variants_are_format_compliant_for_the_task_parser():
    for token_map in ("none", "qwen"):
        rec = to_record({"prompt": "Q?", "completion": TRACE, "kind": "number"}, token_map=token_map)
        assert compliant(rec), token_map
    assert not compliant(to_record({"prompt": "Q?", "completion": "7", "kind": "number"}))


def test_records_are_conversational_or_plain():
    chat = to_record({"prompt": "Q?", "completion": " A. ", "id": 3}, chat=True, system_prompt="S")
    assert chat["prompt"] == [{"role": "system", "content": "S"}, {"role": "user", "content": "Q?"}]
    assert chat["completion"] == [{"role": "assistant", "content": "A."}]
    plain = to_record({"prompt": "Explanation:", "completion": "A."}, chat=False)
    assert (plain["prompt"], plain["completion"]) == ("Explanation:", " A.")


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 60), frac=st.floats(0.0, 0.5), seed=st.integers(0, 10))
def test_split_is_a_seeded_partition(n, frac, seed):
    recs = [{"id": str(i)} for i in range(n)]
    train, eval_ = split(recs, frac, seed)
    ids = [r["id"] for r in train + eval_]
    assert sorted(ids, key=int) == [str(i) for i in range(n)]  # nothing lost or doubled
    assert split(recs, frac, seed) == (train, eval_)  # same seed, same split
    if frac > 0 and n >= 2:
        assert len(eval_) >= 1


def test_report_counts_and_bad_rows():
    rows = [{"id": f"r{i}", "source": "gsm8k", "kind": "number", "prompt": "Q", "completion": TRACE} for i in range(9)]
    rows.append({"id": "bad", "source": "gsm8k", "kind": "number", "prompt": "Q", "completion": "42"})
    train, eval_, rep = format_rows(rows, eval_fraction=0.2, seed=1)
    assert (rep["records"], rep["train"], rep["eval"]) == (10, 8, 2)
    assert rep["format_compliance"] == 0.9 and rep["non_compliant_ids"] == ["bad"]
    with pytest.raises(InputError, match=r"row 1 \(id 'x'\): field 'completion' is missing"):
        format_rows([rows[0], {"id": "x", "prompt": "Q"}])


@pytest.mark.slow
@pytest.mark.parametrize("chat", [True, False])
def test_loss_is_computed_on_completion_tokens_only(smollm2_dir, tmp_path, chat):
    """The labels trl builds: -100 over every prompt token, the completion's own ids after it."""
    from transformers import AutoTokenizer

    from cec_eval.distill.sft import build_trainer, resolve_settings

    tok = AutoTokenizer.from_pretrained(smollm2_dir)
    row = {"prompt": "Claim: ice melts.\nExplanation:", "completion": "Heat breaks the bonds of the ice lattice."}
    rec = to_record(row, chat=chat)
    trainer = build_trainer([rec], None, smollm2_dir, tmp_path, resolve_settings("claire", {"lora_r": 4}))
    ex = trainer.train_dataset[0]
    ids, labels = ex["input_ids"], ex["labels"]
    if chat:
        prompt_ids = tok.apply_chat_template(rec["prompt"], add_generation_prompt=True, tokenize=True,
                                             return_dict=True)["input_ids"]
    else:
        prompt_ids = tok(rec["prompt"])["input_ids"]
    n = len(prompt_ids)
    assert ids[:n] == list(prompt_ids)
    assert labels[:n] == [-100] * n  # no loss on the prompt
    assert labels[n:] == ids[n:] and len(ids) > n  # full loss on the completion
    completion = tok.decode(ids[n:])
    assert completion.startswith(row["completion"].strip() if chat else " " + row["completion"])
    assert completion.rstrip().endswith("<|im_end|>")  # the model also learns to stop


def test_format_command_writes_train_eval_and_report(tmp_path, smollm2_dir):
    import json

    from cec_eval.cli import main
    from cec_eval.distill.records import read_jsonl, write_jsonl

    rows = [{"id": f"g{i}", "source": "gsm8k", "kind": "number", "prompt": f"Q{i}?", "completion": TRACE}
            for i in range(10)]
    write_jsonl(rows, tmp_path / "traces.jsonl")
    rc = main(["distill", "format", "-i", str(tmp_path / "traces.jsonl"), "-o", str(tmp_path / "data"),
               "--base-model", smollm2_dir, "--token-map", "qwen", "--eval-fraction", "0.2", "--seed", "3"])
    assert rc == 0
    train, eval_ = read_jsonl(tmp_path / "data" / "train.jsonl"), read_jsonl(tmp_path / "data" / "eval.jsonl")
    assert (len(train), len(eval_)) == (8, 2)
    assert train[0]["completion"][0]["content"].startswith("<|im_start|>think")
    report = json.loads((tmp_path / "data" / "report.json").read_text())
    assert report["format_compliance"] == 1.0 and report["completion_tokens"]["n"] == 10
    assert main(["distill", "format", "-i", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "x")]) == 2
