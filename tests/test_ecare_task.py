"""e-CARE tasks: the seeded split (deterministic, disjoint, leak-free on correct pairs), the prompts on
hand-picked rows, the choice rule, and a real lm-eval run of both tasks on SmolLM2."""
from __future__ import annotations

import pytest

from cec_eval.errors import InputError
from cec_eval.tasks import ecare as E

SPLITS = ("train", "dev", "test")


def _by_id(split: str) -> dict[str, dict]:
    return {d["id"]: d for d in E.split_rows(split)}


def test_split_is_deterministic_disjoint_and_complete():
    first = {s: E.split_rows(s) for s in SPLITS}
    E._split.cache_clear()  # rebuild from the files, not from the cache
    again = {s: E.split_rows(s) for s in SPLITS}
    assert first == again
    assert {s: len(v) for s, v in first.items()} == E.SPLIT_SIZES
    ids = {s: {d["id"] for d in v} for s, v in first.items()}
    assert not (ids["train"] & ids["dev"]) and not (ids["train"] & ids["test"]) and not (ids["dev"] & ids["test"])
    assert len(ids["train"] | ids["dev"] | ids["test"]) == 14928
    # no correct cause/effect sentence and no explanation of a test or dev row is in train
    seen = {t for d in first["train"] for t in (d["cause"], d["effect"], d["explanation"])}
    for s in ("dev", "test"):
        assert not any({d["cause"], d["effect"], d["explanation"]} & seen for d in first[s]), s
    # another seed gives another test set of the same kind
    other = E.split_docs(list(first["train"] + first["dev"] + first["test"]), seed=E.SPLIT_SEED + 1)
    assert {d["id"] for d in other["test"]} != ids["test"] and len(other["test"]) >= E.TEST_ROWS


def test_groups_link_shared_sentences_only():
    docs = [
        {"cause": "a", "effect": "b", "explanation": "x"},
        {"cause": "c", "effect": "a", "explanation": "y"},  # shares sentence "a" with row 0
        {"cause": "d", "effect": "e", "explanation": "x"},  # shares explanation "x" with row 0
        {"cause": "f", "effect": "g", "explanation": "z"},
    ]
    assert E.groups(docs) == [[0, 1, 2], [3]]


def test_prompts_on_hand_picked_rows():
    test, train = _by_id("test"), _by_id("train")
    d = test["train-0"]  # e-CARE train row 0 lands in our test split
    assert (d["ask_for"], d["label"], d["answer"]) == ("effect", 0, "1")
    assert E.ll_prompt(d) == "There is a light rain today.\nQuestion: What happened as a result?\nAnswer:"
    assert d["choices"] == ["The roots of many plants are not moistened by rain.", "Tourists have seen many ripples."]
    assert d["explanation"] == "Precipitation reaches soil surfaces."
    assert E.gen_prompt(d).endswith(
        "Premise: There is a light rain today.\nQuestion: What happened as a result? Which option is more plausible?\n"
        "1. The roots of many plants are not moistened by rain.\n2. Tourists have seen many ripples.\n")
    assert "The answer is 1 or The answer is 2." in E.gen_prompt(d)
    c = train["train-4"]  # a cause question whose answer is the second hypothesis
    assert (c["ask_for"], c["answer"], c["cause"]) == ("cause", "2", "Susan majored in pharmacology at university.")
    assert E.ll_prompt(c) == "She mainly studied drugs.\nQuestion: What was the cause?\nAnswer:"


OPTS = ["The roots of many plants are not moistened by rain.", "Tourists have seen many ripples."]


@pytest.mark.parametrize("response, strict, flexible", [
    ("<think>\n<causality>\nRain wets roots.\n</causality>\n</think>\nThe answer is 2.", "2", "2"),
    ("The answer is **1**", "1", "1"),
    ("The answer is 3.", None, None),  # not an option, and no option text
    ("<think>\nRain.\n</think>\nThe answer is: tourists have seen many ripples.", None, "2"),
    ("<think>\nRain.\n</think>\nI would pick option 1", None, "1"),
    ("<think>\nRain wets roots, so the answer is 2", None, None),  # reasoning never closed: truncated
    ("<think>\nx\n</think>\nThe roots of many plants are not moistened by rain. Tourists have seen many ripples.", None, None),
])
def test_choice_rule(response, strict, flexible):
    assert E.choice(response, OPTS, "strict") == strict
    assert E.choice(response, OPTS, "flexible") == flexible


def test_bad_rows_name_file_row_and_field():
    good_q = {"index": "train-0", "premise": "P.", "ask-for": "effect", "hypothesis1": "A.", "hypothesis2": "B.", "label": 0}
    good_e = {"index": "train-0", "cause": "P.", "effect": "A.", "conceptual_explanation": "E."}
    assert E.join_rows([good_q], [good_e])[0]["answer"] == "1"
    with pytest.raises(InputError, match=r"ecare_causal_reasoning_train row 0: field 'label' is 2"):
        E.join_rows([dict(good_q, label=2)], [good_e])
    with pytest.raises(InputError, match=r"ecare_causal_reasoning_train row 0: field 'premise' is missing"):
        E.join_rows([{k: v for k, v in good_q.items() if k != "premise"}], [good_e])
    with pytest.raises(InputError, match=r"ecare_explanation_generation_train row 0: field 'conceptual_explanation'"):
        E.join_rows([good_q], [dict(good_e, conceptual_explanation=" ")])
    with pytest.raises(InputError, match=r"index 'train-0': fields 'cause'/'effect' do not match"):
        E.join_rows([dict(good_q, label=1)], [good_e])


@pytest.mark.slow
def test_both_tasks_run_in_lm_eval_on_smollm2(smollm2_dir):
    """A real lm-eval run (3 test items each); accuracy is recomputed from the logged samples."""
    import math

    import torch
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM

    from cec_eval.runtime import torch_threads
    from cec_eval.tasks import task_manager

    with torch_threads(1):
        lm = HFLM(pretrained=smollm2_dir, device="cpu", dtype=torch.float32, batch_size=2)
        out = simple_evaluate(model=lm, tasks=["ecare_causal_ll", "ecare_causal_gen"], limit=3, log_samples=True,
                              gen_kwargs={"max_gen_toks": 40}, bootstrap_iters=0, apply_chat_template=True,
                              task_manager=task_manager(include_defaults=False))
    test = E.split_rows("test")[:3]
    ll = out["samples"]["ecare_causal_ll"]
    assert [s["doc"]["id"] for s in ll] == [d["id"] for d in test]
    for s in ll:
        lls = [r[0] for r in s["filtered_resps"]]
        assert s["acc"] == float(max(range(2), key=lambda i: lls[i]) == s["doc"]["label"])
    assert out["results"]["ecare_causal_ll"]["acc,none"] == pytest.approx(sum(s["acc"] for s in ll) / 3)
    gen = out["samples"]["ecare_causal_gen"]
    for mode, filt in (("strict", "strict-match"), ("flexible", "flexible-extract")):
        rows = [s for s in gen if s["filter"] == filt]
        assert len(rows) == 3
        for s in rows:
            picked = E.choice(s["resps"][0][0], s["doc"]["choices"], mode)
            assert s["acc"] == float(picked == s["doc"]["answer"])
        assert out["results"]["ecare_causal_gen"][f"acc,{filt}"] == pytest.approx(sum(s["acc"] for s in rows) / 3)
    res = out["results"]["ecare_causal_gen"]
    assert 0.0 <= res["format_compliance,format"] <= 1.0
    assert res["cec_signature,reasoning"].endswith(f"|refs:{E.REFERENCE_SOURCE}")
    assert math.isfinite(res["cec_sym,reasoning"])
