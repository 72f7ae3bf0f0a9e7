"""benchmarks/ecare_ablation.py: the five training sets on hand-made rows (exact), the offline
premise-swap counterfactuals, the teacher route through distill.augment with a scripted teacher,
the statistics, and the --smoke chain end to end (train 5 students, evaluate 6 checkpoints)."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "ecare_ablation.py"


@pytest.fixture(scope="module")
def ab():
    spec = importlib.util.spec_from_file_location("ecare_ablation", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(i, premise, ask, choices, label, expl):
    cause, effect = (premise, choices[label]) if ask == "effect" else (choices[label], premise)
    q = {"effect": "What happened as a result?", "cause": "What was the cause?"}[ask]
    return {"id": f"t-{i}", "premise": premise, "ask_for": ask, "question": q, "choices": choices, "label": label,
            "answer": str(label + 1), "cause": cause, "effect": effect, "explanation": expl}


ITEM = _doc(0, "Vegetarian don't eat meat.", "effect", ["Hares wont eat meat.", "This kept her from gaining weight."], 0,
            "Hares are strictly vegetarian.")
DONOR = _doc(1, "She has a high level of lipase.", "effect", ["This kept her from gaining weight.", "He sang."], 0,
             "Lipases digest lipids.")
# "This kept her from gaining weight." is a *cause* here: wrong role, never a donor for ITEM
OTHER_ROLE = _doc(2, "She ate less.", "cause", ["This kept her from gaining weight.", "x"], 0, "E.")


def test_offline_counterfactual_swaps_in_a_premise_that_makes_the_wrong_option_right(ab):
    cfs, summary = ab.offline_counterfactuals([ITEM, OTHER_ROLE], [OTHER_ROLE, ITEM, DONOR])
    assert summary["counterfactuals"] == 1 and len(cfs) == 1
    cf = cfs[0]
    assert cf["id"] == "t-0:cf" and cf["donor_id"] == "t-1" and cf["original_id"] == "t-0"
    assert cf["premise"] == "She has a high level of lipase."
    assert cf["choices"] == ITEM["choices"] and (cf["label"], cf["answer"]) == (1, "2")
    assert (cf["cause"], cf["effect"]) == ("She has a high level of lipase.", "This kept her from gaining weight.")
    assert cf["explanation"] == "Lipases digest lipids."
    # a donor with the same premise as the item is no counterfactual
    assert ab.offline_counterfactuals([ITEM], [dict(DONOR, cause=ITEM["premise"])])[0] == []


def test_the_five_sets_exact_rows(ab):
    cfs, _ = ab.offline_counterfactuals([ITEM], [DONOR])
    sets = ab.build_sets([ITEM], cfs)
    assert {k: len(v) for k, v in sets.items()} == {"FT": 1, "FT-CoT": 1, "FT-MVC": 2, "FT-CD-CoT": 2, "FT-CD-MVC": 4}
    prompt = "Vegetarian don't eat meat.\nQuestion: What happened as a result?\nAnswer:"
    assert all(r["prompt"] == prompt for r in (sets["FT"][0], sets["FT-CoT"][0], *sets["FT-MVC"]))
    assert sets["FT"][0]["completion"] == "Hares wont eat meat."
    assert sets["FT-CoT"][0]["completion"] == "Hares wont eat meat.\nExplanation: Hares are strictly vegetarian."
    pvc, nvc = sets["FT-MVC"]
    assert pvc["completion"] == ("Hares wont eat meat.\n[Direct election] Vegetarian don't eat meat. Hares are strictly "
                                 "vegetarian.\nTherefore the answer would be: Hares wont eat meat.")
    assert nvc["completion"] == ("Hares wont eat meat.\n[Elimination method] Hares are strictly vegetarian. This links "
                                 "\"Vegetarian don't eat meat.\" to \"Hares wont eat meat.\", not to \"This kept her from "
                                 "gaining weight.\".\nTherefore the answer would not be: This kept her from gaining weight.")
    cf_cot = sets["FT-CD-CoT"][1]
    assert cf_cot["prompt"] == "She has a high level of lipase.\nQuestion: What happened as a result?\nAnswer:"
    assert cf_cot["completion"] == "This kept her from gaining weight.\nExplanation: Lipases digest lipids."
    assert [r["counterfactual"] for r in sets["FT-CD-MVC"]] == [False, False, True, True]


class ScriptedTeacher:
    """A ``complete_many`` backend answering seed 003's prompts deterministically: the masked
    premise is re-completed so that the wrong option (B) becomes right, and 4 of 5 paths agree."""

    def __init__(self):
        self.n = 0

    def _answer(self, req):
        system = req["messages"][0]["content"] if req["messages"][0]["role"] == "system" else ""
        user = req["messages"][-1]["content"]
        if system.startswith("Find the topic word"):
            return "Vegetarian"
        if system.startswith("Complete a masked question"):
            return "Question completion: She has a high level of lipase. What happened as a result?"
        if "finish with a line of the form" in user:
            self.n += 1
            return "The answer is (B)." if self.n % 5 else "The answer is (A)."
        if "why this answer is correct" in user:
            return "Lipase breaks down fat."
        if "is wrong" in user:
            return "Lipase has nothing to do with hares."
        raise AssertionError(user[:80])

    def complete_many(self, reqs, desc=""):
        return [SimpleNamespace(ok=True, text=self._answer(r), truncated=False) for r in reqs]


def test_teacher_route_through_augment(ab):
    pytest.importorskip("spacy")
    cfs, summary = ab.teacher_counterfactuals([ITEM], ScriptedTeacher())
    assert summary["counterfactuals_kept"] == 1 and summary["counterfactuals"] == 1
    (cf,) = cfs
    assert cf["premise"] == "She has a high level of lipase." and cf["choices"] == ITEM["choices"]
    assert (cf["label"], cf["answer"], cf["original_id"]) == (1, "2", "t-0")
    assert (cf["pvc"], cf["nvc"]) == ("Lipase breaks down fat.", "Lipase has nothing to do with hares.")
    pvc, nvc = ab.mvc_rows(cf)
    assert pvc["completion"] == ("This kept her from gaining weight.\n[Direct election] Lipase breaks down fat.\n"
                                 "Therefore the answer would be: This kept her from gaining weight.")
    assert nvc["completion"] == ("This kept her from gaining weight.\n[Elimination method] Lipase has nothing to do with "
                                 "hares.\nTherefore the answer would not be: Hares wont eat meat.")
    assert ab.cot_row(cf)["completion"] == "This kept her from gaining weight.\nExplanation: Lipase breaks down fat."


def test_compare_hand_computed(ab):
    scores = {"base": {"0": 0.0, "1": 1.0, "2": 0.0, "3": 1.0},
              "FT": {"0": 1.0, "1": 1.0, "2": 0.0, "3": 0.0},
              "FT-CoT": {"0": 1.0, "1": 1.0, "2": 1.0, "3": 1.0}}
    rows = {r["checkpoint"]: r for r in ab.compare(scores)}
    assert rows["base"]["acc"] == 0.5 and "delta_vs_FT" not in rows["base"] and "delta_vs_FT" not in rows["FT"]
    d = rows["FT-CoT"]["delta_vs_FT"]
    assert d["mean"] == 0.5 and d["n"] == 4
    assert d["pvalue"] == pytest.approx(0.5)  # two-sided sign test, 2 of 2 untied pairs favour FT-CoT
    assert rows["FT-CoT"]["ci95"] == [1.0, 1.0]
    assert 0.0 <= d["ci95"][0] <= 0.5 <= d["ci95"][1] <= 1.0
    md = ab.markdown(ab.compare(scores), {"FT": {"rows": 4, "counterfactual_rows": 0, "final_loss": 1.25}})
    assert "| FT | 4 | 0 | 1.250 | 4 | 0.500 [" in md


@pytest.mark.parametrize("argv, needle", [
    (["--train-items", "0"], "--train-items: must be in 1..11928, got 0"),
    (["--steps", "0"], "--steps: must be at least 1, got 0"),
    (["--test-items", "2001"], "--test-items: the test split has 2000"),
    (["--variants", "FT,FT-XYZ"], "--variants: unknown ['FT-XYZ']"),
    (["--set", "lora_rank=8"], "unknown SFT setting 'lora_rank'"),
])
def test_bad_arguments_fail_before_training(ab, argv, needle, tmp_path, capsys):
    assert ab.main(["--out", str(tmp_path / "o"), *argv]) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "o" / "models").exists()


@pytest.mark.slow
def test_smoke_chain_end_to_end(ab, tmp_path, capsys):
    """Five students (1 step each) and the base on 4 test questions: ~95 CPU-s."""
    assert ab.main(["--smoke", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "ablation.json").read_text())
    assert [r["checkpoint"] for r in summary["results"]] == ["base", *ab.VARIANTS]
    assert all(r["n"] == 4 for r in summary["results"])
    train = summary["training"]
    assert all(train[v]["global_steps"] == 1 for v in ab.VARIANTS)
    assert train["FT-MVC"]["rows"] == 2 * train["FT"]["rows"] == 12
    assert train["FT-CD-CoT"]["rows"] == train["FT"]["rows"] + train["FT-CD-CoT"]["counterfactual_rows"]
    for v in ab.VARIANTS:
        assert (tmp_path / "models" / v / "adapter" / "adapter_model.safetensors").is_file()
        assert not (tmp_path / "models" / v / "checkpoints").exists()
    # accuracies are the means of the per-item scores the leaderboard stored
    for r in summary["results"]:
        assert r["acc"] in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert re.search(r"\| FT-CD-MVC \| 1\d \| \d+ \|", (tmp_path / "ablation.md").read_text())
    # a rerun reuses every adapter (same records and settings) and every cached evaluation
    from cec_eval.leaderboard import EVALUATIONS

    adapter = tmp_path / "models" / "FT" / "adapter" / "adapter_model.safetensors"
    mtime, evals = adapter.stat().st_mtime_ns, EVALUATIONS["simple_evaluate"]
    assert ab.main(["--smoke", "--out", str(tmp_path)]) == 0
    assert adapter.stat().st_mtime_ns == mtime and EVALUATIONS["simple_evaluate"] == evals
    assert json.loads((tmp_path / "ablation.json").read_text())["results"] == summary["results"]
