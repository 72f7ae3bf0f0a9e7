"""correlate on constructed ratings whose ranking is known, against scipy; the CLI end to end."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from scipy import stats as sps

from cec_eval.cli import main
from cec_eval.correlate import copa_sse_items, correlate, correlate_scores, correlation
from cec_eval.errors import InputError


@pytest.fixture
def constructed():
    """12 groups of 5 items; 'good' follows the ratings exactly (rank), 'noisy' loosely, 'anti'
    in reverse, 'flat' is constant inside every group."""
    rng = np.random.default_rng(0)
    groups, ratings = [], []
    for g in range(12):
        r = rng.permutation(5).astype(float) + rng.uniform(0, 0.1)
        groups += [f"q{g}"] * 5
        ratings += list(r)
    y = np.array(ratings)
    scores = {
        "good": list(y / 10 + 0.01),
        "noisy": list(y + rng.normal(0, 1.5, len(y))),
        "anti": list(-y),
        "flat": [float(int(g[1:])) for g in groups],
    }
    return y, scores, groups


def test_known_ranking(constructed):
    y, scores, groups = constructed
    rep = correlate_scores(y, scores, groups, n_resamples=300, seed=1)
    for method in ("kendall", "spearman", "pearson"):
        assert rep.results["good"][method].within.estimate == pytest.approx(1.0)
        assert rep.results["anti"][method].within.estimate == pytest.approx(-1.0)
        noisy = rep.results["noisy"][method].within.estimate
        assert 0 < noisy < 1
        flat = rep.results["flat"][method]
        assert flat.within.estimate is None and flat.within.reason == "undefined in every group"
        assert flat.groups_undefined == {"constant metric scores": 12}
    assert rep.results["good"]["kendall"].pooled.estimate == pytest.approx(sps.kendalltau(scores["good"], y).statistic)
    assert rep.results["noisy"]["spearman"].pooled.estimate == pytest.approx(sps.spearmanr(scores["noisy"], y).statistic)
    assert rep.results["noisy"]["pearson"].pooled.estimate == pytest.approx(sps.pearsonr(scores["noisy"], y).statistic)
    ci = rep.results["noisy"]["kendall"].within
    assert ci.low < ci.estimate < ci.high
    md = rep.to_markdown()
    assert "Ranking by within Kendall τ-b: good > noisy > anti" in md
    rows = list(csv.DictReader(io.StringIO(rep.to_csv())))
    assert len(rows) == 12 and rows[0]["metric"] == "good" and float(rows[0]["within"]) == pytest.approx(1.0)
    assert correlate_scores(y, scores, groups, n_resamples=300, seed=1).to_dict() == rep.to_dict()


def test_differences_from_reference_metric(constructed):
    y, scores, groups = constructed
    rep = correlate_scores(y, scores, groups, n_resamples=300, seed=1, reference_metric="noisy")
    good, anti = rep.differences["good"], rep.differences["anti"]
    noisy_tau = rep.results["noisy"]["kendall"]
    assert good["within"]["estimate"] == pytest.approx(1.0 - noisy_tau.within.estimate)
    assert good["within"]["low"] > 0 and anti["within"]["high"] < 0
    assert good["pooled"]["estimate"] == pytest.approx(rep.results["good"]["kendall"].pooled.estimate - noisy_tau.pooled.estimate)
    assert rep.differences["flat"]["within"]["reason"] == "no group where both are defined"
    assert "### Kendall τ-b minus noisy's" in rep.to_markdown()
    # no reference metric among the scores: no differences
    assert correlate_scores(y, {"good": scores["good"]}, groups, n_resamples=50).differences == {}


def test_kendall_is_tau_b_with_ties():
    x = [1, 1, 2, 2, 3, 3, 4]
    y = [1, 2, 2, 3, 3, 4, 4]
    stat, p, reason = correlation(x, y, "kendall")
    assert stat == pytest.approx(sps.kendalltau(x, y, variant="b").statistic) and reason is None
    assert stat != pytest.approx(sps.kendalltau(x, y, variant="c").statistic)


def test_undefined_cases():
    assert correlation([1, 2], [1, 2], "pearson") == (None, None, "fewer than 3 items")
    assert correlation([1, 2, 3], [2, 2, 2], "spearman")[2] == "constant ratings"
    rep = correlate_scores([1, 2, 3, 4], {"m": [0.5] * 4})
    c = rep.results["m"]["kendall"]
    assert c.pooled.estimate is None and c.pooled.reason == "constant metric scores" and c.pooled_p is None
    assert not rep.grouped and "undefined (constant metric scores)" in rep.to_markdown()
    with pytest.raises(InputError, match="ratings row 2: not a number"):
        correlate_scores([1, 2, "high"], {"m": [1, 2, 3]})
    with pytest.raises(InputError, match="metric 'm' has 2 scores for 3 ratings"):
        correlate_scores([1, 2, 3], {"m": [1, 2]})


def test_correlate_with_real_lexical_metrics():
    # ROUGE-1 against the reference is known for these: an exact copy rated highest ... unrelated lowest.
    ref = "the sun rose so the grass cast a long shadow"
    preds = [ref, "the sun rose and the grass had a shadow", "the sun rose", "a dog barked at night"]
    ratings = [5, 4, 3, 1]
    rep = correlate(preds, [ref] * 4, ratings, metrics="rouge1,bleu", n_resamples=200, progress=False)
    assert rep.results["rouge1"]["kendall"].pooled.estimate == pytest.approx(1.0)
    assert rep.signatures["rouge1"].startswith("rouge1:F")


def test_copa_sse_items_leave_one_out():
    d = copa_sse_items(limit_questions=3)
    assert len(d["predictions"]) == len(d["references"]) == len(d["ratings"]) == len(d["groups"])
    first = d["predictions"][0]
    assert first not in d["references"][0] and d["predictions"][1] in d["references"][0]
    assert d["groups"][0] == "1" and all(1 <= r <= 5 for r in d["ratings"])


def test_cli_end_to_end(tmp_path, capsys):
    rows = [
        {"qid": "a", "explanation": "Sunrise causes shadows.", "reference": "The sun makes shadows.", "rating": 4, "mine": 0.9},
        {"qid": "a", "explanation": "Shadows happen.", "reference": "The sun makes shadows.", "rating": 2, "mine": 0.4},
        {"qid": "a", "explanation": "Dogs bark.", "reference": "The sun makes shadows.", "rating": 1, "mine": 0.1},
        {"qid": "b", "explanation": "Rain makes the ground wet.", "reference": ["Rain wets the ground.", "Wet ground follows rain."], "rating": 5, "mine": 0.8},
        {"qid": "b", "explanation": "The ground is wet.", "reference": ["Rain wets the ground."], "rating": 3, "mine": 0.5},
        {"qid": "b", "explanation": "Cats sleep.", "reference": ["Rain wets the ground."], "rating": 1, "mine": 0.2},
    ]
    data = tmp_path / "rated.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    rc = main(["correlate", "-d", str(data), "--group-field", "qid", "--score-field", "mine", "-m", "rouge1,meteor",
               "--n-resamples", "200", "-f", "json", "-o", str(tmp_path / "rep.json"), "--no-progress"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_items"] == 6 and out["n_groups"] == 2 and out["grouped"]
    assert out["correlations"]["mine"]["kendall"]["within"]["estimate"] == pytest.approx(1.0)
    assert out["correlations"]["mine"]["spearman"]["pooled"]["estimate"] == pytest.approx(sps.spearmanr([r["mine"] for r in rows], [r["rating"] for r in rows]).statistic)
    assert json.loads((tmp_path / "rep.json").read_text())["signatures"]["mine"] == "user-supplied column"
    # bad input names the row
    (tmp_path / "bad.csv").write_text("explanation,reference,rating\nok,ok,3\nfine,fine,\n")
    rc = main(["correlate", "-d", str(tmp_path / "bad.csv"), "-m", "rouge1"])
    err = capsys.readouterr().err
    assert rc == 2 and "row 1" in err and ("not a number" in err or "not a finite number" in err)
    rc = main(["correlate", "-d", str(data), "--rating-field", "score", "-m", "rouge1"])
    assert rc == 2 and "row 0 has no field 'score'" in capsys.readouterr().err


def test_cli_copa_sse(capsys):
    rc = main(["correlate", "--dataset", "copa_sse_dev", "--limit", "15", "-m", "rouge1,rougeL", "--n-resamples", "100", "--no-progress", "-f", "csv"])
    assert rc == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["metric"] for r in rows[:3]] == ["ROUGE-1"] * 3 and int(rows[0]["groups_used"]) > 0


def test_cli_passes_cec_options(capsys, minilm_path):
    """--cec-variant / --cec-aggregation reach the CEC scorer: the signature names them."""
    rc = main(["correlate", "--dataset", "copa_sse_dev", "--limit", "4", "-m", "cec", "--n-resamples", "20",
               "--no-progress", "-f", "json", "--cec-model", minilm_path, "--cec-variant", "causal"])
    assert rc == 0
    sig = json.loads(capsys.readouterr().out)["signatures"]["cec"]
    assert "cec:causal-v25(" in sig and "|agg:mean|" in sig
    rc = main(["correlate", "--dataset", "copa_sse_dev", "--limit", "4", "-m", "cec", "--n-resamples", "20",
               "--no-progress", "-f", "json", "--cec-model", minilm_path, "--cec-aggregation", "f2"])
    assert rc == 0
    sig = json.loads(capsys.readouterr().out)["signatures"]["cec"]
    assert "cec:plain|" in sig and "|agg:f2|" in sig


def test_wiegreffe_items_leave_one_out():
    from cec_eval.correlate import RATED_DATASETS, rated_items

    d = rated_items("wiegreffe_cqa_train", limit_questions=1)
    assert len(d["predictions"]) == 5 and set(d["groups"]) == {"ed53cbea1f21072fab892031b31192d1"}
    # first CSV item: "1|2|3|4|5" by one annotator, the other two left out one of 2, 3, 4 each
    assert d["ratings"] == pytest.approx([1.0, 2 / 3, 2 / 3, 2 / 3, 1.0])
    for k, refs in enumerate(d["references"]):
        assert len(refs) == 4 and d["predictions"][k] not in refs and set(refs) | {d["predictions"][k]} == set(d["predictions"])
    assert {"copa_sse_dev", "wiegreffe_cqa_train", "wiegreffe_snli_train"} <= set(RATED_DATASETS)
    with pytest.raises(ValueError, match="unknown rated dataset 'nope'"):
        rated_items("nope")


def test_wiegreffe_empty_explanations_are_left_out():
    from cec_eval.correlate import wiegreffe_items

    d = wiegreffe_items("wiegreffe_cqa_train", limit_questions=291)  # line 291 has an empty explanation
    assert all(p.strip() for p in d["predictions"]) and all(r.strip() for refs in d["references"] for r in refs)
    assert len(d["predictions"]) < 291 * 5
    per_item = {g: d["groups"].count(g) for g in d["groups"]}
    assert all(len(refs) == per_item[g] - 1 for refs, g in zip(d["references"], d["groups"]))


def test_wiegreffe_shipped_files_rebuild_byte_identical(tmp_path, monkeypatch):
    """The shipped files are exactly what benchmarks/build_wiegreffe.py makes from the source CSVs."""
    import importlib.util
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "shared" / "data" / "wiegreffe2022_train"
    if not (src / "snli_train.csv").is_file():
        pytest.skip("source CSVs not present")
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_wiegreffe", root / "benchmarks" / "build_wiegreffe.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "OUT", tmp_path)
    assert mod.main([str(src)]) == 0
    for _, out in mod.FILES.values():
        assert (tmp_path / out).read_bytes() == (root / "cec_eval" / "data" / "datasets" / out).read_bytes()
