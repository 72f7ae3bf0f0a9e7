"""An empty prediction through every door that reaches BERTScore: the metric, its rescaled form,
the lm-eval aggregation and ``cec-eval compare``; plus a canary on bert-score itself, so we notice
when the one wrapper (``cec_eval.metrics.bertscore.score_rows``) is no longer needed."""
from __future__ import annotations

import json
import math

import pytest

from cec_eval.inputs import EmptyPredictionWarning
from cec_eval.metrics import get_metric

PREDS = ["CO2 traps heat.", "  "]
REFS = ["CO2 traps heat.", "The planet warms."]


def test_upstream_bert_score_still_crashes_on_a_blank_candidate(minilm_path):
    """bert-score 0.3.13 + transformers 5: a blank string reaches
    ``tokenizer.build_inputs_with_special_tokens``, which is gone. If this test fails, upstream
    changed: check whether ``score_rows`` can pass blank rows straight through."""
    from bert_score import BERTScorer

    scorer = BERTScorer(model_type=minilm_path, num_layers=6, device="cpu")
    with pytest.raises(AttributeError, match="build_inputs_with_special_tokens"):
        scorer.score(["  "], ["The planet warms."])


def test_blank_row_scores_zero_with_a_warning_and_others_unchanged():
    metric = get_metric("bertscore")
    with pytest.warns(EmptyPredictionWarning, match=r"BERTScore: 1 of 2 predictions are empty \(rows 1\) and score 0"):
        res = metric.score(PREDS, REFS)
    alone = metric.score(PREDS[:1], REFS[:1])
    assert res.scores == [pytest.approx(alone.scores[0], abs=1e-6), 0.0]
    assert res.scores[0] == pytest.approx(1.0, abs=1e-5)
    assert res.extra["precision"][1] == res.extra["recall"][1] == 0.0
    assert res.empty_predictions == [1]


def test_blank_row_is_zero_when_rescaled_too(tmp_path):
    """Rescaled, a raw 0 would be (0 - b)/(1 - b) < 0; the contract says 0 on every scale."""
    baseline = tmp_path / "b.csv"
    baseline.write_text("LAYER,P,R,F\n" + "".join(f"{i},0.3,0.3,0.4\n" for i in range(7)))
    raw = get_metric("bertscore").score(["The ice melted."], ["Ice melts in heat."]).scores[0]
    with pytest.warns(EmptyPredictionWarning):
        res = get_metric("bertscore", baseline_path=baseline).score(["The ice melted.", ""], ["Ice melts in heat.", "x"])
    assert res.scores == [pytest.approx((raw - 0.4) / 0.6, abs=1e-5), 0.0]


def test_lm_eval_aggregation_is_the_mean_with_the_empty_row_at_zero():
    """climate_fever_cec with one generation empty (a model that only emits its end token): the
    BERTScore aggregation is the mean over rows, not NaN."""
    from cec_eval.tasks.metrics import agg_bertscore

    items = [(PREDS[0], (REFS[0],)), ("", (REFS[1],)), ("The planet gets warmer.", (REFS[1], "Ice melts."))]
    one = get_metric("bertscore").score([items[2][0]], [list(items[2][1])]).scores[0]
    value = agg_bertscore(items)
    assert math.isfinite(value)
    assert value == pytest.approx((1.0 + 0.0 + one) / 3, abs=1e-5)


def test_compare_cli_with_one_empty_prediction_gives_the_table_with_the_row_flagged(tmp_path, capsys):
    from cec_eval.cli import main

    refs = ["The planet warms because CO2 traps heat.", "Ice melts when it is warm.", "Seas rise as ice melts."]
    (tmp_path / "refs.txt").write_text("\n".join(refs) + "\n")
    (tmp_path / "a.txt").write_text("CO2 traps heat. So the planet warms.\nWarmth melts ice.\nSeas rise.\n")
    (tmp_path / "b.txt").write_text("CO2 traps heat.\n\nThe sea rises.\n")  # row 1 empty
    rc = main(["compare", "-r", str(tmp_path / "refs.txt"), "-s", str(tmp_path / "a.txt"), "-s", str(tmp_path / "b.txt"),
               "-m", "bleu,rougeL,bertscore,cec", "--no-progress", "--paired-ar", "200", "--paired-bs", "200",
               "--n-resamples", "100", "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "| b † |" in out and "| a |" in out
    assert "† system 'b': 1 of 3 predictions are empty (rows 1); every metric scores them 0." in out
    assert "WARNING: system 'b': 1 of 3 predictions are empty (rows 1)" in err
    data = json.loads((tmp_path / "out" / "comparison.json").read_text())
    assert data["empty_predictions"] == {"a": [], "b": [1]}
    for m in ("bleu", "rougeL", "bertscore", "cec"):
        assert data["scores"]["b"][m][1] == 0.0 and all(math.isfinite(x) for x in data["scores"]["b"][m])


def test_truncation_is_reported_by_bertscore_and_by_cec_through_the_metric_suite():
    from cec_eval.metrics.bertscore import TruncationWarning as BertTruncation
    from cec_eval.scorer import TruncationWarning as CECTruncation

    long = " ".join(["carbon dioxide traps heat in the lower atmosphere"] * 70)  # > 512 word pieces
    with pytest.warns(BertTruncation, match=r"1 of 2 rows have a text longer than the backbone's 512 word pieces"):
        res = get_metric("bertscore").score([long, "Ice melts."], ["CO2 traps heat.", "Ice melts."])
    assert any("rows 0)" in n for n in res.notes)
    with pytest.warns(CECTruncation):
        cec = get_metric("cec").score([long, "Ice melts."], ["CO2 traps heat.", "Ice melts."])
    assert any("1 sentence(s) in 1 row(s) (rows 0)" in n for n in cec.notes)
