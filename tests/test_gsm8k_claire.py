"""The GSM8K -> Claire formatter: exact output on hand-made solutions, and parser compliance."""
from __future__ import annotations

import pytest

from cec_eval.distill.gsm8k_claire import causal_steps, causality_block, clean_solution, to_claire
from cec_eval.errors import InputError
from cec_eval.tasks.causality import parse_causal_response

NATALIA = ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n"
           "Natalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72")


def test_exact_trace_of_a_two_step_chain():
    assert to_claire(NATALIA) == (
        "<think>\n"
        "Natalia sold 48/2 = 24 clips in May.\n"
        "Natalia sold 48+24 = 72 clips altogether in April and May.\n"
        "<causality>\n"
        "Given quantities: 48, 2.\n"
        "24 (clips in May) = 48/2, so 48 and 2 cause 24.\n"
        "72 (clips altogether in April and May) = 48+24, so 48 and 24 cause 72.\n"
        "</causality>\n"
        "</think>\n"
        "The answer is 72.")


def test_money_decimals_thousands_and_repeated_operands():
    sol = ("He pays $<<1,200/4=300>>300 each week.\n"
           "Over .5 of a year that is 300*26 = $<<300*26=7800>>7,800.\n"
           "Squared: <<5*5=25>>25 units; total <<7800+25=7825>>7825.\n#### 7,825")
    assert causal_steps(sol)[0] == {"result": "300", "expression": "1,200/4", "operands": ["1200", "4"],
                                    "computed": [], "description": "each week"}
    assert causality_block(sol) == (
        "Given quantities: 1200, 4, 26, 5.\n"
        "300 (each week) = 1,200/4, so 1200 and 4 cause 300.\n"
        "7800 = 300*26, so 300 and 26 cause 7800.\n"
        "25 (units) = 5*5, so 5 causes 25.\n"
        "7825 = 7800+25, so 7800 and 25 cause 7825.")
    out = to_claire(sol)
    assert out.endswith("</think>\nThe answer is 7825.")
    assert clean_solution(sol).startswith("He pays $300 each week.")


def test_no_annotations_and_no_answer_line():
    assert causality_block("She has 3 apples and eats all of them.\n#### 0") == "No calculator steps."
    with pytest.raises(InputError, match="####"):
        to_claire("no final line")


@pytest.mark.parametrize("sol", [NATALIA, "x <<2*3=6>>6 and <<6-1=5>>5.\n#### 5", "Nothing to compute.\n#### 4",
                                 "Half: <<.5*8=4>>4 cakes\n#### 4"])
def test_output_is_compliant_for_the_task_parser(sol):
    p = parse_causal_response(to_claire(sol))
    assert p.compliant and p.think_form == "tagged" and p.answer.strip().startswith("The answer is")
    assert p.causality.strip() == causality_block(sol)


def test_every_shipped_train_solution_formats_compliantly():
    from cec_eval.resources import read_jsonl

    rows = list(read_jsonl("gsm8k_train"))
    assert len(rows) == 7473
    bad = [i for i, r in enumerate(rows) if not parse_causal_response(to_claire(r["answer"])).compliant]
    assert bad == []
