"""The causality-format parser, answer extraction and the lm-eval filters, on realistic and
malformed model outputs (no model needed)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval.tasks.answers import extract_letter, extract_number, math_equivalent, normalize_number
from cec_eval.tasks.causality import parse_causal_response
from cec_eval.tasks.filters import CausalFilter, analyse, explanation_text

XML = """<think>
Janet's ducks lay 16 eggs per day.
<causality>
Eggs laid (16) cause eggs available. Eating 3 and baking with 4 reduce what is left: 16 - 3 - 4 = 9.
Each sold egg causes $2 of income, so income = 9 * 2 = 18.
</causality>
So she makes 18 dollars.
</think>
The answer is 18."""

# Seed 002 §4.6: Qwen special-token markers, no closing tags, think re-opened after causality.
QWEN = """<im_start>think
# Let's break down the causal relationships:
# - A causes C (A → C)
<im_start>causality
# World model: W causes both A and B.
# So the root cause of C is W.
<im_start>think
# Therefore, the answer is: W is the root cause of C.
<im_start>answer
W is the root cause of C."""

QWEN_BARS = "<|im_start|>think\nWe need 3*4.\n<|im_start|>causality\n3 boxes cause 12 pens.\n<|im_start|>answer\n#### 12<|im_end|>"


def test_xml_format_is_compliant_and_split():
    p = parse_causal_response(XML)
    assert p.compliant and p.variant == "xml" and p.missing_closers == []
    assert p.causality.startswith("Eggs laid (16)") and p.causality.endswith("income = 9 * 2 = 18.")
    assert p.think.startswith("Janet's ducks") and "So she makes 18 dollars." in p.think
    assert "<" not in p.think and p.answer == "The answer is 18."
    assert p.reasoning == p.think


def test_qwen_token_variant_of_seed_002():
    p = parse_causal_response(QWEN)
    assert p.compliant and p.variant == "qwen"
    assert p.causality == "# World model: W causes both A and B.\n# So the root cause of C is W."
    assert "Let's break down" in p.think and "Therefore, the answer is" in p.think
    assert p.answer == "W is the root cause of C."


def test_qwen_with_bars_and_chat_debris():
    p = parse_causal_response(QWEN_BARS)
    assert p.compliant and p.variant == "qwen"
    assert p.answer == "#### 12"  # <|im_end|> stripped
    assert extract_number(QWEN_BARS, "strict") == "12"


def test_markdown_escaped_marker_and_spaces():
    p = parse_causal_response("<im\\_start>think\nx\n<im\\_start>causality\ny causes z\n<| im_start |>answer\n7")
    assert p.compliant and p.answer == "7" and p.causality == "y causes z"


def test_missing_closing_tags_are_accepted_and_recorded():
    text = "<think>\nstep\n<causality>\nrain causes wet roads\n<answer>The answer is 5"
    p = parse_causal_response(text)
    assert p.compliant
    assert sorted(p.missing_closers) == ["causality", "think"]
    assert p.causality == "rain causes wet roads" and p.answer == "The answer is 5"


def test_unclosed_think_is_unfinished_reasoning_with_no_answer():
    text = "<think>\n<causality>\nprice causes cost\n</causality>\nso 3 * 4 = 12"
    p = parse_causal_response(text)
    assert not p.compliant and not p.has_answer and p.missing_closers == ["think"]
    assert p.reasoning_open and p.reasoning == "price causes cost\nso 3 * 4 = 12"
    # a number inside reasoning that never finished is not an answer, in any mode
    assert extract_number(text, "flexible") is None and extract_number(text, "strict") is None
    assert analyse(text, "format")["truncated"] is True


def test_no_markers_is_all_answer_and_reasoning():
    p = parse_causal_response("She sells 9 eggs for $2 each, so she makes $18.")
    assert not p.compliant and p.variant == "none"
    assert p.answer == p.reasoning == "She sells 9 eggs for $2 each, so she makes $18."


def test_think_without_causality_is_not_compliant():
    p = parse_causal_response("<think>9 * 2 = 18</think>\nThe answer is 18.")
    assert p.has_think and not p.has_causality and not p.compliant


def test_empty_and_none():
    for value in ("", None):
        p = parse_causal_response(value)
        assert not p.compliant and p.answer == "" and p.reasoning == ""


def test_mixed_markers():
    p = parse_causal_response("<think>a\n<|im_start|>causality\nb causes c\n</think>\nThe answer is (B)")
    assert p.variant == "mixed" and p.compliant and extract_letter(p.answer) == "B"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/|_\\ abcthinkcausalityanswerim_start0123456789\n#$.,")), max_size=200))
def test_parser_never_raises_and_compliance_is_consistent(text):
    p = parse_causal_response(text)
    assert p.compliant == (p.has_think and p.has_causality and p.has_answer and bool(p.answer.strip()))
    for part in (p.answer, p.think, p.causality, p.reasoning):
        assert isinstance(part, str)


# -- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,canon",
    [("$1,200.00", "1200"), ("1200", "1200"), ("-3.50", "-3.5"), ("18.", "18"), ("0.250", "0.25"), ("1,8", None),
     ("12,345,678", "12345678"), ("abc", None), (None, None), ("3/4", "0.75"), ("2/6", "1/3"), ("-$5", "-5"),
     ("\u22127", "-7"), ("25%", "25"), ("€1,250.50", "1250.5"), ("1/0", None), ("\\frac{9}{7}", "9/7")],
)
def test_normalize_number(raw, canon):
    assert normalize_number(raw) == canon


@pytest.mark.parametrize(
    "text,strict,flexible",
    [
        ("<think><causality>x</causality></think>\nThe answer is $1,200.00.", "1200", "1200"),
        ("blah 3 + 4 = 7\n#### 7", "7", "7"),
        ("<think>12 apples</think>\nSo she has 15 left, I think.", None, "15"),
        ("<think>The answer is 4</think>\nThe answer is 5", "5", "5"),  # the answer section wins
        ("The final answer is: -2", "-2", "-2"),
        ("She buys 5, 6 and 7, then 10, ", None, None),  # stops mid-sentence: truncated
        ("She buys 5, 6 and 7, then 10.", None, "10"),
        ("no numbers here", None, None),
    ],
)
def test_number_extraction(text, strict, flexible):
    assert extract_number(text, "strict") == strict
    assert extract_number(text, "flexible") == flexible


@pytest.mark.parametrize(
    "gold,candidate,ok",
    [
        ("1200", "$1,200.00", True),
        ("1200", "1200", True),
        ("1200", "\\boxed{1200}", True),
        ("1200", "The answer is $\\boxed{1,200}$", True),
        ("1200", "12.00", False),
        ("18", "She makes 18 dollars a day.", True),
        ("18", "", False),
        ("18", None, False),
    ],
)
def test_math_equivalence(gold, candidate, ok):
    assert math_equivalent(gold, candidate) is ok


@pytest.mark.parametrize(
    "text,strict,flexible",
    [
        ("<think><causality>c</causality></think>\nThe answer is (C).", "C", "C"),
        ("Answer: B", "B", "B"),
        ("**Answer:** (D)", "D", "D"),
        ("I would go with (A) or maybe (B)", None, "B"),
        ("The correct answer is D because ...", "D", "D"),
        ("Nothing here.", None, None),
    ],
)
def test_letter_extraction(text, strict, flexible):
    assert extract_letter(text, "strict") == strict
    assert extract_letter(text, "flexible") == flexible


# -- filters ---------------------------------------------------------------------------------


def test_filter_outputs_by_pipeline():
    resps = [[XML], [QWEN_BARS], [""]]
    docs = [{}, {}, {}]
    strict = CausalFilter(output="answer", mode="strict").apply(resps, docs)
    assert [r[0]["extracted"] for r in strict] == ["18", "12", None]
    fmt = CausalFilter(output="format").apply(resps, docs)
    assert [r[0]["compliant"] for r in fmt] == [True, True, False]
    assert fmt[1][0]["variant"] == "qwen"
    reasoning = CausalFilter(output="reasoning").apply(resps, docs)
    assert reasoning[0][0]["text"].startswith("Janet's ducks") and reasoning[2][0]["text"] == ""
    math = CausalFilter(output="answer", mode="math").apply(resps, docs)
    assert math[0][0]["extracted"] == "18"  # the statement's value; math-verify compares it


def test_filter_rejects_bad_options():
    with pytest.raises(ValueError, match="output"):
        CausalFilter(output="nope")
    with pytest.raises(ValueError, match="math"):
        CausalFilter(output="answer", mode="math", target="letter")


def test_explanation_strips_markers_and_debris():
    assert explanation_text("<think>Heat causes melting.</think><|im_end|>") == "Heat causes melting."
    assert explanation_text("A  causes B.<causality>  B causes C.\n\n\nDone.") == "A causes B.\nB causes C.\nDone."
    assert analyse(None, "explanation") == {"filter": "explanation", "text": ""}


def test_process_results_dispatch():
    from cec_eval.tasks.metrics import process_results

    doc = {"gold": "18", "references": ["She sells 9 eggs."], "reference_source": "gsm8k-solution", "cec_model": ""}
    assert process_results(doc, [analyse(XML, "answer", "strict")]) == {"exact_match": 1.0}
    assert process_results(doc, [analyse("The answer is 1,8", "answer", "strict")]) == {"exact_match": 0.0}
    assert process_results(doc, [analyse("$18.00", "answer", "math")]) == {"exact_match": 1.0}
    assert process_results(doc, [analyse(XML, "format")]) == {"format_compliance": 1.0, "truncated": 0.0}
    cut = "<think>Quick guess: the answer is 18. Let me verify: 16 - 3 = 13, 13 - 4 = 9, and 9 times"
    assert process_results(doc, [analyse(cut, "format")])["truncated"] == 1.0
    out = process_results(doc, [analyse(XML, "reasoning")])
    assert set(out) == {"cec_forward", "cec_backward", "cec_sym", "cec_signature"}
    assert out["cec_sym"][1] == ("She sells 9 eggs.",) and out["cec_sym"][2] == "gsm8k-solution"
    assert process_results(doc, [{"filter": "judge", "configured": False}]) == {}
    gdoc = {"choices": ["a", "b", "c", "d"], "answer": "C", "references": ["r"]}
    assert process_results(gdoc, [analyse("The answer is (C)", "answer", "strict", "letter")]) == {"acc": 1.0}


def test_register_is_idempotent():
    import lm_eval.filters  # noqa: F401  (fills the registry)
    from lm_eval.api.registry import filter_registry

    from cec_eval.tasks.filters import register

    register()
    register()
    assert "cec_causal" in filter_registry and "cec_judge" in filter_registry


# -- issue 13: the failing rows, by kind --------------------------------------------------------


@pytest.mark.parametrize(
    "text,mode,target,right",
    [
        ("Ohm's law.\nThe answer is a voltage drop across the resistor, option (D).", "strict", "letter", "D"),
        ("Rates rise with heat.\nB. A higher temperature speeds the reaction.", "flexible", "letter", "B"),
        ("<think>Quick guess: the answer is 18. Let me verify: 16 - 3 = 13, 13 - 4 = 9, and 9 times", "strict", "number", None),
        ("<think>Quick guess: the answer is 18. Let me verify: 16 - 3 = 13, 13 - 4 = 9, and 9 times", "flexible", "number", None),
        ("<think>Quick guess: the answer is 18. Let me verify: 16 - 3 = 13, 13 - 4 = 9, and 9 times", "math", "number", None),
        ("First the blue fiber.\n\nThe answer is 2 * 1 = 2 bolts of blue fiber.\n\nNext the white fiber.\n\nThe answer is 2 * 1 = 2 bolts of", "strict", "number", None),
        ("<think>24+48=72</think>\nThe answer is **72**.", "strict", "number", "72"),
        ("<think>24+48=72</think>\nThe answer is **72**.", "flexible", "number", "72"),
    ],
)
def test_issue_13_rows(text, mode, target, right):
    assert analyse(text, "answer", mode, target)["extracted"] == right


def test_prefilled_think_is_compliant_with_the_same_reasoning_as_the_full_trace():
    for full, opener in ((XML, "<think>"), (QWEN_BARS, "<|im_start|>think")):
        cut = full[len(opener):]
        a, b = parse_causal_response(full), parse_causal_response(cut)
        assert b.compliant and b.think_form == "prefilled" and a.think_form == "tagged"
        assert (b.reasoning, b.causality, b.answer) == (a.reasoning, a.causality, a.answer)
        assert analyse(cut, "format")["think_form"] == "prefilled"
        assert analyse(cut, "reasoning") == analyse(full, "reasoning")


def test_only_the_first_answer_section_counts():
    p = parse_causal_response("<think>a<causality>b</causality></think>\nThe answer is 5.\n<think>c</think>\nThe answer is 7.")
    assert p.answer == "The answer is 5." and p.compliant


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/|_ thinkcausalityanswerim_start0123456789ABCD()*$.,:\n-")), max_size=160))
def test_unfinished_reasoning_never_yields_an_answer(text):
    p = parse_causal_response(text)
    if p.reasoning_open:
        for mode in ("strict", "flexible"):
            assert extract_number(text, mode, p) is None and extract_letter(text, mode, p) is None
        assert analyse(text, "format")["truncated"] is True


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_is_analysed_without_error(text):
    # any script, any ending (é, º, 中, emoji, control characters)
    for target in ("number", "letter"):
        for mode in ("strict", "flexible"):
            analyse(text, "answer", mode, target)
    assert isinstance(analyse(text, "format")["truncated"], bool)
    analyse(text, "answer", "math")


@pytest.mark.parametrize("text,value", [("so 18 café", "18"), ("18 中", "18"), ("º", None), ("Il en vend 18 à la fête", "18")])
def test_non_ascii_endings(text, value):
    assert extract_number(text, "flexible") == value
