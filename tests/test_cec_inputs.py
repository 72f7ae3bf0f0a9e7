"""Bad and odd input: a clear error naming the row, or a documented finite score; never a crash,
a hang or a NaN. Uses the real MiniLM where the encoder matters (long, non-English, emoji, HTML)."""
import math
import re

import pytest

from cec_eval import CECScorer
from cec_eval.errors import InputError
from cec_eval.inputs import EmptyPredictionWarning
from cec_eval.testing import BagOfWordsEncoder

BOW = CECScorer(model=BagOfWordsEncoder())


@pytest.mark.parametrize(
    "preds, refs, message",
    [
        (["a."], ["a.", "b."], "predictions has 1 rows but references has 2"),
        (["a.", None], ["a.", "b."], r"predictions\[1\] is None"),
        (["a.", 3], ["a.", "b."], r"predictions\[1\] is int, expected str"),
        (["a."], [None], r"references\[0\] is None"),
        (["a."], [["b.", 7]], r"references\[0\]\[1\] is int"),
        (["a."], [[]], r"references\[0\] is an empty list"),
        (["a."], ["   "], r"references\[0\] has no sentence"),
        (["a.", "b."], ["a.", "..."], r"references\[1\] has no sentence"),
        ("a.", ["a."], "predictions must be a list of str, got str"),
        ([], [], "^no rows: predictions and references are empty$"),
        (["a."], [["b.", " \u200b "]], r"references\[0\]\[1\] has no sentence"),
    ],
)
def test_errors_name_the_row(preds, refs, message):
    with pytest.raises(InputError, match=message):
        BOW.score(preds, refs)


def test_empty_and_punctuation_only_predictions_score_zero_and_are_listed():
    with pytest.warns(EmptyPredictionWarning, match=r"CEC: 4 of 5 predictions are empty \(rows 0, 1, 2, 3\) and score 0"):
        r = BOW.score(["", "   ", "...", "\u200b\ufffd", "heat rises."], ["heat rises."] * 5)
    assert r.sym == [0.0, 0.0, 0.0, 0.0, pytest.approx(1.0)]
    assert r.empty_predictions == [0, 1, 2, 3]
    assert "warning: CEC: 4 of 5 predictions are empty" in r.summary() and "4 of 5 predictions are empty" in str(r)


def test_empty_prediction_is_zero_when_rescaled_too(tmp_path):
    """Rescaling maps raw x to (x - b)/(1 - b), which for raw 0 would be negative; the contract
    says an empty prediction scores 0 on every scale, and a non-empty one is rescaled as usual."""
    import json

    from cec_eval.baseline import baseline_key

    path = tmp_path / "b.json"
    path.write_text(json.dumps({baseline_key(BOW): {"forward": 0.2, "backward": 0.4, "sym": 0.3}}))
    scorer = CECScorer(model=BOW.embedder.model, rescale_with_baseline=True, baseline_file=path)
    with pytest.warns(EmptyPredictionWarning):
        r = scorer.score(["", "heat rises. ice melts."], ["heat rises.", "heat rises."])
    raw_sym = (0.5 + 1.0) / 2  # forward 1/2 (one of two sentences matches), backward 1
    assert r.raw["sym"] == pytest.approx([0.0, raw_sym])
    assert r.sym == pytest.approx([0.0, (raw_sym - 0.3) / 0.7])
    assert r.forward == pytest.approx([0.0, (0.5 - 0.2) / 0.8]) and r.backward == pytest.approx([0.0, 1.0])


def test_mixed_single_and_multi_references_score_as_given():
    one = BOW.score(["heat rises. ice melts."], ["heat rises."]).sym[0]
    many = BOW.score(["heat rises. ice melts."], [["sea rises.", "ice melts."]]).sym[0]
    mixed = BOW.score(["heat rises. ice melts."] * 2, ["heat rises.", ["sea rises.", "ice melts."]])
    assert mixed.sym == pytest.approx([one, many])
    assert "|nrefs:var|" in mixed.signature


def test_has_content_is_the_one_definition_of_empty():
    from cec_eval.inputs import has_content

    assert [has_content(t) for t in ["", " \t\n", "...", "-", "\u200b", "\ufffd", "\u3000", "a", "7", "🔥", "+", "あ"]] == [
        False, False, False, False, False, False, False, True, True, True, True, True,
    ]


def test_no_terminator_is_one_sentence():
    assert BOW.split("CO2 traps heat and the planet warms") == ["CO2 traps heat and the planet warms"]


def test_hard_wrapped_lines_are_joined_but_list_items_are_not():
    assert BOW.split("CO2 traps heat that would\nescape to space. So it warms.\n- ice melts\n- seas rise") == [
        "CO2 traps heat that would escape to space.", "So it warms.", "- ice melts", "- seas rise",
    ]


def test_line_breaks_are_boundaries():
    assert BOW.split("1. CO2 rises\n2. Heat is trapped\n\n- So it warms") == [
        "1. CO2 rises", "2. Heat is trapped", "- So it warms",
    ]


@pytest.fixture(scope="module")
def real(minilm):
    return CECScorer(model=minilm)


def test_odd_texts_give_finite_bounded_scores(real):
    long_text = " ".join(f"Sentence number {i} says that CO2 traps heat in the atmosphere." for i in range(1600))
    assert len(long_text) > 100_000
    preds = [
        long_text,
        "El CO2 atrapa el calor. Por eso el planeta se calienta.",  # non-English
        "CO2 traps heat 🔥🌍. So the planet warms 🌡️.",
        "<p>CO2 <b>traps</b> heat.</p><br/>So the planet warms.",
        "🔥🌍",
    ]
    r = real.score(preds, ["CO2 traps heat, so the planet warms."] * len(preds))
    for d in ("forward", "backward", "sym"):
        for v in getattr(r, d):
            assert math.isfinite(v) and -1.0 <= v <= 1.0
    assert r.empty_predictions == []  # emoji count as content
    assert r.sym[0] > 0.3  # a long text about the same thing still matches


def test_cli_reports_input_error_as_one_line(tmp_path, capsys):
    from cec_eval.cli import main

    (tmp_path / "p.jsonl").write_text('{"prediction": "a."}\n{"prediction": null}\n')
    (tmp_path / "r.jsonl").write_text('{"reference": "a."}\n{"reference": "b."}\n')
    code = main(["score", "-p", str(tmp_path / "p.jsonl"), "-r", str(tmp_path / "r.jsonl")])
    err = capsys.readouterr().err
    # the file reader or the contract names it (file and line, or row): one line, no traceback
    assert code == 2 and re.search(r"row 1|predictions\[1\]", err) and "Traceback" not in err and err.count("\n") == 1


def test_malformed_jsonl_names_the_line(tmp_path):
    from cec_eval.io import read_records

    path = tmp_path / "p.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(InputError, match=r"p.jsonl:2: not valid JSON"):
        read_records(path)


def test_truncated_sentences_are_counted_per_row_and_reported(real):
    """Two predictions that differ only after the encoder's 256th word piece score the same (the
    encoder never sees the rest); the result says so instead of staying silent."""
    from cec_eval.scorer import TruncationWarning

    body = " ".join(["carbon dioxide traps heat in the lower atmosphere"] * 40)  # one sentence, > 256 pieces
    preds = [body + " and so the planet warms", body + " but nothing at all happens", "CO2 traps heat."]
    refs = ["The planet warms because CO2 traps heat."] * 2 + [[body, "CO2 traps heat."]]
    with pytest.warns(TruncationWarning, match=r"CEC: 3 sentence\(s\) in 3 row\(s\) \(rows 0, 1, 2\) are longer than the encoder's 256 word pieces"):
        r = real.score(preds, refs)
    assert r.sym[0] == pytest.approx(r.sym[1], abs=1e-6)
    assert r.truncated == [1, 1, 1] and r.max_length == 256
    assert "truncated before embedding" in r.summary() and "truncated before embedding" in str(r)
    assert r.to_dict()["truncated"] == [1, 1, 1]
    short = real.score(["CO2 traps heat."], ["The planet warms."])
    assert short.truncated == [0] and short.notes == []


def test_encoder_without_tokenizer_reports_no_truncation():
    r = BOW.score([" ".join(["heat"] * 2000) + "."], ["heat."])
    assert r.truncated == [0] and r.max_length is None
