"""Task datasets: references, claim-label policy, teacher files, GSM8K cleaning, GPQA shuffling
(in memory only; no GPQA text is printed or written by these tests)."""
from __future__ import annotations

import json
import os
from collections import Counter

import pytest

from cec_eval.errors import InputError
from cec_eval.tasks import TASKS, include_path
from cec_eval.tasks import data
from cec_eval.tasks.prompts import climate_fever_prompt, gpqa_prompt, gsm8k_prompt


def test_include_path_is_absolute_and_holds_every_task():
    path = include_path()
    assert os.path.isabs(path)
    found = set()
    for root, _, files in os.walk(path):
        for f in files:
            if f.endswith(".yaml"):
                with open(os.path.join(root, f)) as fh:
                    for line in fh:
                        if line.startswith("task:"):
                            found.add(line.split(":", 1)[1].strip())
    assert found == set(TASKS)


def test_climate_fever_default_references_and_labels():
    ds = data.climate_fever()["test"]
    assert len(ds) == 654 + 253  # SUPPORTS + REFUTES claims; DISPUTED/NEI left out by default
    assert Counter(ds["claim_label"]) == {"SUPPORTS": 654, "REFUTES": 253}
    assert set(ds["reference_source"]) == {"climate-fever-evidence"}
    doc = ds[0]
    assert doc["claim_id"] == "0" and len(doc["evidences"]) == 5
    # claim 0 (SUPPORTS): the reference is its SUPPORTS-labelled evidence, in dataset order
    assert doc["references"][0].startswith("Environmental impacts include the extinction or relocation")
    assert all(ref in " ".join(doc["evidences"]) for ref in doc["references"][0].split(". ")[:1])
    prompt = climate_fever_prompt(doc)
    assert prompt.startswith("Claim: Global warming is driving polar bears toward extinction\nEvidence:\n1. ")
    assert "Label: SUPPORTS" in prompt and prompt.endswith("Explanation:")


def test_disputed_claims_on_request_use_both_kinds_of_evidence():
    ds = data.climate_fever(claim_labels="DISPUTED")["test"]
    assert len(ds) == 154 and set(ds["claim_label"]) == {"DISPUTED"}


def test_not_enough_info_needs_teacher_references():
    with pytest.raises(InputError, match="NOT_ENOUGH_INFO"):
        data.climate_fever(claim_labels="SUPPORTS,NOT_ENOUGH_INFO")
    with pytest.raises(InputError, match="unknown label"):
        data.climate_fever(claim_labels="SUPPORTED")


def test_teacher_references_keyed_by_claim_id(tmp_path):
    path = tmp_path / "teacher.jsonl"
    rows = [
        {"claim_id": "0", "explanation": "Warming melts sea ice. Less ice means bears cannot hunt seals."},
        {"claim_id": "0", "explanation": "Second teacher sample."},
        {"claim_id": "5", "explanation": "Another claim."},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ds = data.climate_fever(references=str(path), claim_labels="SUPPORTS,REFUTES,DISPUTED,NOT_ENOUGH_INFO")["test"]
    ids = ds["claim_id"]
    assert set(ids) <= {"0", "5"} and "0" in ids
    doc = ds[ids.index("0")]
    assert doc["references"] == [rows[0]["explanation"], rows[1]["explanation"]]
    assert doc["reference_source"].startswith("teacher:teacher.jsonl@") and len(doc["reference_source"]) == len("teacher:teacher.jsonl@") + 8


def test_distill_traces_file_works_as_teacher_references(tmp_path):
    path = tmp_path / "traces.jsonl"
    rows = [
        {"id": "climate_fever:0", "claim_id": "0", "source": "climate_fever", "kind": "explanation", "prompt": "p",
         "completion": "<think><causality>Warming melts ice.</causality></think>\nSo bears starve."},
        {"id": "gsm8k:0", "source": "gsm8k", "kind": "math", "prompt": "p", "completion": "#### 18"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    ds = data.climate_fever(references=str(path))["test"]
    assert list(ds["claim_id"]) == ["0"] and ds[0]["references"] == ["Warming melts ice.\nSo bears starve."]


def test_teacher_file_errors_name_the_row(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"claim_id": "0", "explanation": "ok"}\n{"explanation": "no id"}\n')
    with pytest.raises(InputError, match="row 1 has no field 'claim_id'"):
        data.climate_fever(references=str(path))
    path.write_text('{"claim_id": "0", "explanation": "ok"}\n{"claim_id": "1", "explanation": "  "}\n')
    with pytest.raises(InputError, match=r"row 1 \(claim_id '1'\)"):
        data.climate_fever(references=str(path))
    with pytest.raises(FileNotFoundError):
        data.climate_fever(references=str(tmp_path / "missing.jsonl"))


def test_gsm8k_solution_and_gold():
    ds = data.gsm8k()["test"]
    assert len(ds) == 1319
    doc = ds[0]
    assert doc["gold"] == "18"
    assert doc["references"] == [
        "Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market."
    ]
    assert "<<" not in "".join(r for refs in ds["references"] for r in refs)
    assert all("," not in g for g in ds["gold"])
    assert "Question: Janet" in gsm8k_prompt(doc) and "<causality>" in gsm8k_prompt(doc)
    assert data.gsm8k_solution("a <<1+1=2>>2\nb\n#### 1,000") == "a 2\nb" and data.gsm8k_gold("x\n#### 1,000") == "1000"


@pytest.mark.parametrize("subset,n", [("diamond", 198), ("main", 448), ("extended", 546)])
def test_gpqa_in_memory_with_fixed_shuffle(subset, n, tmp_path, monkeypatch):
    # Every check is reduced to a bool first, so a failure never prints GPQA text.
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    monkeypatch.chdir(tmp_path)
    ds = data.gpqa(subset=subset)["test"]
    assert len(ds) == n
    letters = Counter(ds["answer"])
    assert set(letters) == set("ABCD") and min(letters.values()) > n / 8  # shuffled, not always A
    again = data.gpqa(subset=subset)["test"]
    same_order = again["choices"] == ds["choices"] and again["answer"] == ds["answer"]
    assert same_order, "a fixed seed must give the same option order"
    other = data.gpqa(subset=subset, shuffle_seed=7)["test"]
    assert list(other["answer"]) != list(ds["answer"]), "another seed must give another order"
    doc = ds[0]
    right = doc["choices"]["ABCD".index(doc["answer"])]
    same_options = sorted(doc["choices"]) == sorted(other[0]["choices"]) and right in other[0]["choices"]
    assert same_options, "shuffling must keep the options and the right answer"
    prompt = gpqa_prompt(doc)
    prompt_ok = all(f"({x}) " in prompt for x in "ABCD") and "<causality>" in prompt
    assert prompt_ok, "the GPQA prompt lists the four options and the format"
    written = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], "GPQA loading wrote files"


def test_gpqa_rejects_unknown_subset():
    with pytest.raises(InputError, match="not one of"):
        data.gpqa(subset="tiny")


def test_shuffle_is_per_question_and_seeded():
    opts, letter = data.shuffled_options("right", ["w1", "w2", "w3"], "rec1", 1234)
    assert opts[ "ABCD".index(letter)] == "right" and sorted(opts) == ["right", "w1", "w2", "w3"]
    assert data.shuffled_options("right", ["w1", "w2", "w3"], "rec1", 1234) == (opts, letter)


def test_cec_options_ride_along_in_docs():
    ds = data.gsm8k(cec_model="/some/model", cec_variant="causal", cec_aggregation="mean", other_key=1)["test"]
    assert json.loads(ds[0]["cec_options"]) == {"model": "/some/model", "variant": "causal", "aggregation": "mean"}
    assert data.gsm8k()["test"][0]["cec_options"] == "{}"


def test_cec_options_from_metadata_reach_the_scorer():
    from cec_eval.tasks.data import cec_options
    from cec_eval.tasks.metrics import _corpus_cec, scorer_for

    options = cec_options(cec_variant="causal", cec_multi_ref="mean")
    assert json.loads(options) == {"multi_ref": "mean", "variant": "causal"}
    scorer = scorer_for(options)
    assert scorer.matcher.name.startswith("causal") and scorer.multi_ref == "mean"
    assert scorer_for(cec_options()) is scorer_for("")  # defaults share the process-wide scorer
    items = [("CO2 traps heat, so the planet warms.", ("The planet warms because CO2 traps heat.",), "test", options)]
    signature = _corpus_cec(items)["signature"]
    assert signature.startswith("cec:causal") and "mref:mean" in signature and signature.endswith("|refs:test")
    assert "|agg:mean|" in signature  # the causal variant's default rule (Eq. 2, as plain)
