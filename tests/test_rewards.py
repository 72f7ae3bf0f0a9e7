"""GRPO rewards (cec_eval.distill.rewards) on hand-made completions: exact values, the task pack's
own scoring (a reward is 1 exactly when gsm8k_causal's math-verify / format pipeline says so)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval.distill.rewards import REWARDS, answer_correct, completion_text, format_compliance, make_cec_reward

FULL = "<think>\nShe has 16 eggs.\n<causality>\n16 - 3 - 4 = 9 eggs sold at $2: 9 * 2 = 18.\n</causality>\n</think>\nThe answer is 18."
CASES = [
    # (completion, gold, answer_correct, format_compliance)
    (FULL, "18", 1.0, 1.0),
    (FULL, "17", 0.0, 1.0),                                                       # compliant, wrong
    ("The answer is 18.", "18", 1.0, 0.0),                                        # right, no format
    ("<think>\n<causality>\nso the answer is 18\n</causality>\n", "18", 0.0, 0.0),  # unfinished think: no answer
    ("<think>\n16 - 7 = 9\n</think>\nThe answer is 18", "18", 1.0, 0.0),           # no causality block
    ("<think><causality>x</causality></think>\nThe answer is $18.00", "18", 1.0, 1.0),  # math-verify: 18.00 == 18
    ("<think><causality>x</causality></think>\nThe answer is 1,000.", "1000", 1.0, 1.0),
    ("<think><causality>x</causality></think>\n", "18", 0.0, 0.0),                # empty answer section
    ("<|im_start|>think\na\n<|im_start|>causality\nb\n<|im_start|>answer\nThe answer is 3", "3", 1.0, 1.0),  # qwen tokens
    ("</think>\nThe answer is 18.", "18", 1.0, 0.0),                              # prefilled think, no causality
    ("", "18", 0.0, 0.0),
]


def test_exact_values_on_hand_made_completions():
    comps = [c for c, *_ in CASES]
    assert answer_correct(comps, gold=[g for _, g, *_ in CASES]) == [a for *_, a, _ in CASES]
    assert format_compliance(comps) == [f for *_, f in CASES]


def test_conversational_completions_read_the_assistant_message():
    convo = [[{"role": "assistant", "content": FULL}], [{"role": "assistant", "content": "The answer is 5"}]]
    assert answer_correct(convo, gold=["18", "18"]) == [1.0, 0.0]
    assert format_compliance(convo) == [1.0, 0.0]
    assert completion_text([{"role": "assistant", "content": None}]) == ""


def test_letter_rows_use_the_gpqa_rule():
    comps = ["<think><causality>x</causality></think>\nThe answer is (B).", "The answer is (C).", "I pick B"]
    assert answer_correct(comps, gold=["b", "B", "B"], kind=["letter"] * 3) == [1.0, 0.0, 0.0]


def test_missing_or_misaligned_columns_are_errors():
    with pytest.raises(ValueError, match="'gold'"):
        answer_correct([FULL])
    with pytest.raises(ValueError, match="2 entries for 1"):
        answer_correct([FULL], gold=["1", "2"])


def test_reward_equals_the_task_metric():
    """The reward is the task's own per-document metric for every case (the math-verify pipeline
    and the format pipeline through process_results)."""
    from cec_eval.tasks.filters import analyse
    from cec_eval.tasks.metrics import process_results

    for completion, gold, a, f in CASES:
        doc = {"gold": gold, "references": ["x"]}
        assert process_results(doc, [analyse(completion, "answer", "math")])["exact_match"] == a
        assert process_results(doc, [analyse(completion, "format")])["format_compliance"] == f


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=0, max_value=10**6))
def test_rewards_are_binary_and_a_stated_gold_is_found(text, n):
    assert answer_correct([text], gold=[str(n)])[0] in (0.0, 1.0)
    assert format_compliance([text])[0] in (0.0, 1.0)
    stated = f"<think><causality>{text.replace('<', ' ')}</causality></think>\nThe answer is {n}."
    assert answer_correct([stated], gold=[str(n)]) == [1.0]
    assert format_compliance([stated]) == [1.0]


def test_a_completion_ending_in_a_non_ascii_letter():
    """Found by the property test below before tasks/answers.py read non-ASCII final letters."""
    assert answer_correct(["so 18 café", "18 中", "º"], gold=["18", "18", "18"]) == [1.0, 1.0, 0.0]


def test_cec_reward_on_the_embedded_encoder(minilm_path):
    """Identical reasoning scores CEC_sym 1; rows without a teacher trace get None (trl leaves the
    reward out for them); an unrelated reasoning scores lower than a paraphrase."""
    from cec_eval import CECScorer

    reward = make_cec_reward(CECScorer(model=minilm_path))
    ref = FULL
    para = ("<think>\n<causality>\nAfter eating 3 and baking 4 of her 16 eggs she sells 9, "
            "and 9 eggs at $2 make $18.\n</causality>\n</think>\nThe answer is 18.")
    other = "<think>\n<causality>\nThe moon orbits the earth every month.\n</causality>\n</think>\nThe answer is 18."
    out = reward([ref, para, other, ref], reference=[ref, ref, ref, None])
    assert out[0] == pytest.approx(1.0, abs=1e-6)
    assert out[3] is None
    assert -1.0 <= out[2] < out[1] < 1.0
    assert reward.__name__ == "cec_sym"
    assert set(REWARDS) == {"answer_correct", "format_compliance", "cec_sym"}
