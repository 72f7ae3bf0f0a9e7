"""compare_systems and ``cec-eval compare`` end to end (lexical metrics for speed; one slow run
with every Table 1 metric on the real MiniLM)."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from cec_eval.cli import main
from cec_eval.compare import compare_systems
from cec_eval.errors import InputError
from cec_eval.resources import read_jsonl

FAST = "bleu,rouge1,rougeL,meteor"


@pytest.fixture(scope="module")
def ecare():
    rows = list(read_jsonl("ecare_explanation_generation_train"))[:30]
    refs = [r["conceptual_explanation"] for r in rows]
    return refs, [r["cause"] for r in rows], [r["effect"] for r in rows]


def test_identical_systems_do_not_differ_and_copies_win(ecare):
    refs, cause, effect = ecare
    cmp = compare_systems(refs, {"a": cause, "a-again": list(cause), "oracle": refs}, metrics=FAST, progress=False)
    for m in cmp.metrics:
        same = cmp.system_tests[m]["a-again"]
        assert same["delta"] == 0 and same["paired_bs"]["pvalue"] == 1.0 and same["paired_ar"]["pvalue"] == 1.0
        assert same["ttest"]["statistic"] is None and "identical" in same["ttest"]["reason"]
        oracle = cmp.system_tests[m]["oracle"]
        assert oracle["delta"] > 0.3 and oracle["paired_ar"]["pvalue"] < 0.01 and oracle["paired_bs"]["pvalue"] < 0.01
        cell = cmp.cells["a"][m]
        assert cell.low <= cmp.results["a"][m].mean <= cell.high
        assert cmp.cells["oracle"][m].estimate == pytest.approx(cmp.results["oracle"][m].mean)
    assert cmp.results["oracle"]["rouge1"].scores == [1.0] * len(refs)
    assert cmp.cells["oracle"]["rouge1"].low == cmp.cells["oracle"]["rouge1"].high == 1.0


def test_views(ecare):
    refs, cause, effect = ecare
    cmp = compare_systems(refs, {"cause": cause, "effect": effect}, metrics="bleu,rouge1", progress=False, seed=3)
    md = cmp.to_markdown()
    assert "| Model | BLEU | ROUGE-1 |" in md and "| cause | " in md and "Corpus BLEU" in md
    assert "### Systems vs baseline `cause`" in md
    table = list(csv.DictReader(io.StringIO(cmp.to_csv())))
    assert [r["Model"] for r in table] == ["cause", "effect"]
    assert float(table[1]["ROUGE-1"]) == pytest.approx(np.mean(cmp.results["effect"]["rouge1"].scores), abs=1e-6)
    assert float(table[0]["BLEU ci_low"]) <= float(table[0]["BLEU"]) <= float(table[0]["BLEU ci_high"])
    d = json.loads(json.dumps(cmp.to_dict()))
    assert d["signatures"]["rouge1"].startswith("rouge1:F") and d["baseline"] == "cause"
    assert len(d["scores"]["effect"]["bleu"]) == 30
    again = compare_systems(refs, {"cause": cause, "effect": effect}, metrics="bleu,rouge1", progress=False, seed=3)
    assert again.to_dict() == cmp.to_dict()  # seeded end to end


def test_metric_pair_tests_on_sample(ecare):
    refs, cause, _ = ecare
    cmp = compare_systems(refs, {"cause": cause}, metrics="rouge1,meteor", metric_pairs=[("meteor", "rouge1")], sample=20, progress=False)
    (t,) = cmp.metric_tests["cause"]
    assert t["n"] == 20 and t["n_total"] == 30 and t["a"] == "METEOR" and t["b"] == "ROUGE-1"
    assert cmp.system_tests == {} and cmp.baseline is None


def test_bad_systems_are_named(ecare):
    refs, cause, _ = ecare
    with pytest.raises(InputError, match="system 'short': predictions has 29 rows but references has 30"):
        compare_systems(refs, {"short": cause[:-1]}, metrics="bleu")
    with pytest.raises(InputError, match=r"system 'x': predictions\[2\] is None"):
        compare_systems(refs, {"x": cause[:2] + [None] + cause[3:]}, metrics="bleu")
    with pytest.raises(InputError, match=r"^references\[1\] is None"):
        compare_systems(refs[:1] + [None] + refs[2:], {"x": cause}, metrics="bleu")
    with pytest.raises(InputError, match="baseline 'nope'"):
        compare_systems(refs, {"a": cause}, metrics="bleu", baseline="nope")


def test_single_item_is_reported_not_crashed():
    cmp = compare_systems(["the cat sat"], {"a": ["the cat sat"], "b": ["a dog ran"]}, metrics="rouge1", progress=False)
    t = cmp.system_tests["rouge1"]["b"]
    assert t["delta"] == -1.0 and t["paired_bs"]["reason"] == "1 item(s): need at least 2"
    assert cmp.cells["a"]["rouge1"].reason == "fewer than 2 items"
    md = cmp.to_markdown()
    assert "| a | **1.000 (CI undefined: fewer than 2 items)** |" in md and "| ROUGE-1 | b | -1.000 | undefined | undefined |" in md


def _files(tmp_path, ecare):
    refs, cause, effect = ecare
    (tmp_path / "refs.jsonl").write_text("".join(json.dumps({"id": i, "reference": r}) + "\n" for i, r in enumerate(refs)))
    (tmp_path / "cause.txt").write_text("".join(c + "\n" for c in cause))
    with open(tmp_path / "effect.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "prediction"])
        w.writerows([[i, e] for i, e in enumerate(effect)])
    return tmp_path


def test_cli_end_to_end(tmp_path, ecare, capsys):
    d = _files(tmp_path, ecare)
    out = d / "out"
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "cause.txt"), "-s", f"Effect model={d / 'effect.csv'}",
               "--field", "prediction", "-m", FAST, "-o", str(out), "--no-progress", "--paired-ar", "2000"])
    assert rc == 0
    stdout = capsys.readouterr().out
    assert "| Model | BLEU | ROUGE-1 | ROUGE-L | METEOR |" in stdout and "| Effect model |" in stdout
    assert (out / "table.md").read_text() == stdout
    assert (out / "distributions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((out / "comparison.json").read_text())
    assert data["systems"] == ["cause", "Effect model"] and data["settings"]["paired_ar_trials"] == 2000
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "cause.txt"), "-m", "rouge1", "-f", "csv", "--no-progress"])
    assert rc == 0 and capsys.readouterr().out.startswith("Model,ROUGE-1,ROUGE-1 ci_low,ROUGE-1 ci_high,n,empty\ncause,")


def test_cli_errors(tmp_path, ecare, capsys):
    d = _files(tmp_path, ecare)
    (d / "bad.jsonl").write_text('{"prediction": "x"}\n{"prediction": "y"}\n')
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "bad.jsonl"), "-m", "bleu", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and "system 'bad': predictions has 2 rows but references has 30" in err
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "cause.txt"), "-m", "blue"])
    assert rc == 2 and "unknown metric 'blue'" in capsys.readouterr().err
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "cause.txt"), "-s", str(d / "cause.txt"), "-m", "bleu"])
    assert rc == 2 and "already given" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_all_table1_metrics(tmp_path, ecare, capsys):
    refs, cause, effect = ecare
    small = (refs[:8], cause[:8], effect[:8])
    d = _files(tmp_path, small)
    rc = main(["compare", "-r", str(d / "refs.jsonl"), "-s", str(d / "cause.txt"), "-s", str(d / "effect.csv"),
               "--field", "prediction", "-f", "json", "--no-progress", "--paired-ar", "1000"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["metrics"] == ["bleu", "rouge1", "rouge2", "rougeL", "meteor", "bertscore", "cec"]
    assert data["signatures"]["bertscore"].startswith("bertscore:F1|nrefs:1|mref:max|backbone:all-MiniLM-L6-v2@")
    (t,) = data["metric_tests"]["cause"]
    assert (t["a"], t["b"], t["n"]) == ("CEC", "BERTScore", 8) and "t(7) = " in t["summary"]
    for s in ("cause", "effect"):
        for m in data["metrics"]:
            cell = data["table"][s][m]
            assert 0 <= cell["low"] <= cell["estimate"] <= cell["high"] <= 1.0001
