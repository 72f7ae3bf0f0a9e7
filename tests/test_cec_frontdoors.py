"""The front doors a user touches: evaluate.load("cec") from another directory (fresh
interpreter, offline), evaluate.load(<path>), and the cec-eval CLI end to end."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cec_eval.evaluate_hook import module_path

# the console script of the interpreter running the tests (the venv may not be on PATH)
CEC_EVAL = str(Path(sys.executable).with_name("cec-eval"))
OFFLINE = {k: "1" for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")}


def _python(code: str, cwd, env_extra=None) -> subprocess.CompletedProcess:
    env = {**os.environ, **OFFLINE, "HF_MODULES_CACHE": str(cwd / "modules"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_evaluate_load_bare_name_from_another_directory(tmp_path):
    # A fresh interpreter that never imports cec_eval itself: the .pth start-up hook does the work.
    proc = _python(
        """
        import json, evaluate
        cec = evaluate.load("cec")
        r = cec.compute(predictions=["CO2 traps heat. So the planet warms."],
                        references=[["The planet warms because CO2 traps heat.", "Cats sleep a lot."]],
                        details=True)
        print(json.dumps({k: r[k] for k in ("cec_sym", "signature", "scores", "alignments")}))
        by_path = evaluate.load(%r).compute(predictions=["a b."], references=["a b."])
        print(json.dumps(by_path["cec_sym"]))
        """ % module_path("cec"),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    first, second = proc.stdout.strip().splitlines()[-2:]
    r = json.loads(first)
    assert 0.6 < r["cec_sym"] < 1.0
    assert r["scores"][0]["reference_index"] == 0
    assert r["signature"].startswith("cec:plain|nrefs:2|emb:all-MiniLM-L6-v2@")
    assert r["alignments"][0]["reference_to_generated"][0]["sentence"].startswith("The planet warms")
    assert json.loads(second) == pytest.approx(1.0, abs=1e-5)


def test_local_cec_folder_still_wins(tmp_path):
    # evaluate checks ./cec/cec.py first; the hook must not hide a user's own module.
    (tmp_path / "cec").mkdir()
    (tmp_path / "cec" / "cec.py").write_text("raise RuntimeError('user module loaded')\n")
    proc = _python("import evaluate; evaluate.load('cec')", tmp_path)
    assert "user module loaded" in proc.stderr


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.mark.slow
def test_cli_score_jsonl_csv_text_details(tmp_path):
    preds = _write(tmp_path / "p.jsonl", [{"id": 0, "prediction": "CO2 traps heat. So the planet warms."},
                                          {"id": 1, "prediction": ""}])
    refs_csv = tmp_path / "r.csv"
    refs_csv.write_text('id,reference\n0,"The planet warms because CO2 traps heat."\n1,"Ice melts."\n')
    out = tmp_path / "out.json"
    proc = subprocess.run(
        [CEC_EVAL, "score", "-p", preds, "-r", str(refs_csv), "--details", "-o", str(out)],
        capture_output=True, text=True, env={**os.environ, **OFFLINE}, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "signature: cec:plain|nrefs:1|emb:all-MiniLM-L6-v2@" in proc.stdout
    assert "1 empty predictions scored 0" in proc.stdout
    assert "least covered reference sentence" in proc.stdout
    result = json.loads(out.read_text())
    assert result["n"] == 2 and result["empty_predictions"] == [1]
    assert result["scores"][1]["sym"] == 0.0 and 0.6 < result["scores"][0]["sym"] < 1.0
    assert len(result["alignments"]) == 2

    (tmp_path / "p.txt").write_text("CO2 traps heat. So the planet warms.\nIce melts.\n")
    (tmp_path / "r.txt").write_text("The planet warms because CO2 traps heat.\nIce melts.\n")
    proc = subprocess.run([CEC_EVAL, "score", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "r.txt"),
                           "-o", "-"], capture_output=True, text=True, env={**os.environ, **OFFLINE}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["scores"][1]["sym"] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("option", [["--aggregation", "g2"], ["--variant", "causual"]])
def test_cli_bad_scorer_option_is_a_usage_error(tmp_path, option):
    (tmp_path / "p.txt").write_text("A.\n")
    proc = subprocess.run([CEC_EVAL, "score", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "p.txt"), *option],
                          capture_output=True, text=True, env={**os.environ, **OFFLINE}, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"unknown CEC {option[0][2:]} '{option[1]}'" in proc.stderr


def test_cli_help_is_fast_and_lists_commands():
    proc = subprocess.run([CEC_EVAL, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "score" in proc.stdout and "baseline" in proc.stdout
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cec_eval"],
                          capture_output=True, text=True, timeout=60)
    assert "torch" not in proc.stderr  # importing the package loads no heavy library


@pytest.mark.slow
def test_cli_baseline_for_a_model(tmp_path, minilm_path):
    out = tmp_path / "baselines.json"
    proc = subprocess.run([CEC_EVAL, "baseline", "--model", minilm_path, "--limit", "40", "-o", str(out)],
                          capture_output=True, text=True, env={**os.environ, **OFFLINE}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = json.loads(out.read_text())
    (key, entry), = table.items()
    assert key.endswith("|nupunkt+smart") and entry["n_pairs"] == 40
    assert 0.1 < entry["sym"] < 0.5


@pytest.mark.slow
def test_evaluate_module_doctest(tmp_path, monkeypatch):
    import doctest
    import importlib.util

    monkeypatch.setenv("HF_MODULES_CACHE", str(tmp_path / "modules"))
    spec = importlib.util.spec_from_file_location("cec_metric_script", module_path("cec"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    failed, attempted = doctest.testmod(module)
    assert attempted >= 4 and failed == 0


# -- the evaluate module keeps every row's shape (in-process; the MiniLM values are CECScorer's) --

P = "CO2 traps heat. So the planet warms."
R = "The planet warms because CO2 traps heat."


@pytest.fixture(scope="module")
def cec_module():
    import evaluate

    return evaluate.load(module_path("cec"))


@pytest.mark.parametrize(
    "references",
    [
        [R, [R, "Ice melts."]],  # evaluate used to store row 2 as the text "['...', 'Ice melts.']"
        [["Ice melts.", "Seas rise."], "Warming"],  # ... or split "Warming" into 7 one-letter references
        [R, "Ice melts."],
        [[R], ["Ice melts.", R, "Seas rise."]],
    ],
)
def test_evaluate_scores_mixed_reference_shapes_as_the_python_api(cec_module, references):
    from cec_eval import get_scorer

    got = cec_module.compute(predictions=[P, P], references=references)
    want = get_scorer().score([P, P], references)
    assert [s["sym"] for s in got["scores"]] == pytest.approx(want.sym, abs=1e-6)
    assert [s["reference_index"] for s in got["scores"]] == want.reference_index
    assert got["signature"] == want.signature
    if references[1] == [R, "Ice melts."]:
        assert got["scores"][1]["sym"] == pytest.approx(0.7891, abs=1e-4)


def test_evaluate_add_and_add_batch_keep_shapes(cec_module):
    from cec_eval import get_scorer

    cec_module.add(prediction=P, reference=R)
    cec_module.add_batch(predictions=[P], references=[[R, "Ice melts."]])
    got = cec_module.compute()
    want = get_scorer().score([P, P], [R, [R, "Ice melts."]])
    assert [s["sym"] for s in got["scores"]] == pytest.approx(want.sym, abs=1e-6)


@pytest.mark.parametrize(
    "predictions, references, message",
    [
        ([], [], r"^no rows: predictions and references are empty$"),
        ([P, 3], [R, R], r"^predictions\[1\] is int, expected str$"),  # evaluate would store "3"
        ([P, None], [R, R], r"^predictions\[1\] is None$"),
        ([P], [[R, 7]], r"^references\[0\]\[1\] is int, expected str$"),
        ([P], [""], r"^references\[0\] has no sentence to compare against"),
        ([P], [[]], r"^references\[0\] is an empty list$"),
        ([P, P], [R], r"^predictions has 2 rows but references has 1$"),
    ],
)
def test_evaluate_gives_the_same_input_errors_as_the_python_api(cec_module, predictions, references, message):
    from cec_eval import get_scorer
    from cec_eval.errors import InputError

    with pytest.raises(InputError, match=message):
        cec_module.compute(predictions=predictions, references=references)
    with pytest.raises(InputError, match=message):
        get_scorer().score(predictions, references)


def test_evaluate_compute_with_nothing_is_the_empty_corpus_error(cec_module):
    from cec_eval.errors import InputError

    with pytest.raises(InputError, match=r"^no rows: predictions and references are empty$"):
        cec_module.compute()


def test_evaluate_empty_prediction_scores_zero_and_is_listed(cec_module):
    from cec_eval.inputs import EmptyPredictionWarning

    with pytest.warns(EmptyPredictionWarning):
        got = cec_module.compute(predictions=[P, " \n "], references=[R, R])
    assert got["scores"][1] == {"forward": 0.0, "backward": 0.0, "sym": 0.0, "reference_index": 0}
    assert got["empty_predictions"] == [1] and got["truncated"] == [0, 0]
