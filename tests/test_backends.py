"""Encoder backends (issue #19): the ONNX export of the shipped MiniLM against torch fp32, the int8
path, the signature, export-once, and the backend option through every front door."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cec_eval.backends import BACKENDS, BackendNotInstalled, check_backend, export_dir

ort = pytest.importorskip("onnxruntime", reason="the ONNX backends need the onnx extra (onnxruntime, onnx)")

CEC_EVAL = str(Path(sys.executable).with_name("cec-eval"))
OFFLINE = {k: "1" for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")}
# lengths from 1 word piece to past MiniLM's 256 (the last is truncated), so batches are padded
SENTENCES = [
    "Heat.",
    "CO2 traps heat in the atmosphere.",
    "The planet warms because carbon dioxide absorbs infrared radiation that the surface emits.",
    "Sea levels rise as glaciers and ice sheets melt, and as warmer water expands; coastal cities flood more often.",
    " ".join(["Greenhouse gases trap outgoing heat"] * 60) + ".",
    "Ice melts.",
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """A private $CEC_EVAL_CACHE for the module, so the export-once checks see a cold cache."""
    folder = tmp_path_factory.mktemp("cec_cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CEC_EVAL_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def embedders(cache, minilm):
    from cec_eval.embed import Embedder

    return {b: Embedder(minilm, backend=b, batch_size=4) for b in BACKENDS}


def test_backend_names():
    assert check_backend(None) == "torch" and check_backend("onnx-int8") == "onnx-int8"
    with pytest.raises(ValueError, match="unknown encoder backend 'int8'; choose from torch, onnx, onnx-int8"):
        check_backend("int8")


def test_onnx_fp32_matches_torch_on_padded_batches(embedders):
    # batch 4 over 6 sentences of very different lengths: padding and the dynamic axes are exercised
    want = embedders["torch"].encode(SENTENCES)
    got = embedders["onnx"].encode(SENTENCES)
    assert got.shape == want.shape == (6, 384)
    assert np.abs(got - want).max() < 1e-5


def test_int8_stays_close_to_torch(embedders):
    want = embedders["torch"].encode(SENTENCES)
    got = embedders["onnx-int8"].encode(SENTENCES)
    cos = (got * want).sum(1)  # both normalised
    assert cos.min() > 0.97 and np.abs(np.linalg.norm(got, axis=1) - 1).max() < 1e-5
    assert not np.allclose(got, want, atol=1e-4)  # it really is another computation


def test_signature_names_the_backend_and_truncation_is_counted_alike(embedders, minilm):
    from cec_eval import CECScorer

    results = {}
    for b in BACKENDS:
        with pytest.warns(UserWarning, match="truncated"):
            results[b] = CECScorer(model=minilm, backend=b).score([SENTENCES[4] + " " + SENTENCES[1]], [SENTENCES[2]])
    emb = f"{embedders['torch'].name}@{embedders['torch'].fingerprint}"
    assert f"|emb:{emb}|" in results["torch"].signature
    assert f"|emb:{emb}+onnx|" in results["onnx"].signature
    assert f"|emb:{emb}+onnx-int8|" in results["onnx-int8"].signature
    assert results["torch"].truncated == results["onnx"].truncated == results["onnx-int8"].truncated == [1]
    assert results["onnx"].sym[0] == pytest.approx(results["torch"].sym[0], abs=1e-5)
    assert results["onnx-int8"].sym[0] == pytest.approx(results["torch"].sym[0], abs=0.02)


def test_export_happens_once_and_atomically(embedders, cache, minilm):
    from cec_eval.embed import Embedder

    folder = export_dir(embedders["torch"].name, embedders["torch"].fingerprint)
    assert folder.parent.parent == cache
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["model.onnx", "model_qint8.onnx"]  # no temporary file left behind
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again = Embedder(minilm, backend="onnx-int8")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps  # reused, not re-exported
    assert again.model.path == folder / "model_qint8.onnx"


def test_a_callable_or_a_gpu_cannot_take_an_onnx_backend(minilm):
    from cec_eval.embed import Embedder
    from cec_eval.testing import BagOfWordsEncoder

    with pytest.raises(ValueError, match="needs a sentence-transformers model"):
        Embedder(BagOfWordsEncoder(), backend="onnx")
    with pytest.raises(ValueError, match="runs on the CPU"):
        Embedder(None, backend="onnx", device="cuda")


def test_missing_onnxruntime_names_the_install_command(monkeypatch):
    from cec_eval import backends

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(BackendNotInstalled, match=r"pip install 'cec-eval\[onnx\]'"):
        backends._require_onnxruntime()


# -- front doors ------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_score_and_compare_take_backend(tmp_path, cache):
    preds, refs = tmp_path / "p.txt", tmp_path / "r.txt"
    preds.write_text("CO2 traps heat. So the planet warms.\nIce melts.\n")
    refs.write_text("The planet warms because CO2 traps heat.\nIce melts fast.\n")
    env = {**os.environ, **OFFLINE, "CEC_EVAL_CACHE": str(cache), "OMP_NUM_THREADS": "1"}
    out = tmp_path / "out.json"
    proc = subprocess.run([CEC_EVAL, "score", "-p", str(preds), "-r", str(refs), "--backend", "onnx-int8",
                           "-o", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "+onnx-int8|split:" in json.loads(out.read_text())["signature"]
    proc = subprocess.run([CEC_EVAL, "score", "-p", str(preds), "-r", str(refs), "--backend", "int8"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "unknown encoder backend 'int8'" in proc.stderr and "Traceback" not in proc.stderr

    from cec_eval.cli import build_parser
    from cec_eval.commands.compare import cec_options

    for command in (["compare", "-r", str(refs), "-s", str(preds)], ["correlate", "--dataset", "copa_sse_dev"]):
        for flags in (["--backend", "onnx", "--cache-dir", "x"], ["--cec-backend", "onnx", "--cec-cache-dir", "x"]):
            args = build_parser().parse_args([*command, *flags])
            assert cec_options(args)["backend"] == "onnx" and cec_options(args)["cache_dir"] == "x"
    args = build_parser().parse_args(["baseline", "--backend", "onnx-int8"])
    assert args.backend == "onnx-int8"


def test_evaluate_module_takes_backend(cache):
    import evaluate

    from cec_eval.evaluate_hook import module_path

    cec = evaluate.load(module_path("cec"))
    out = cec.compute(predictions=["CO2 traps heat."], references=["CO2 traps heat."], backend="onnx")
    assert out["signature"].split("|")[2].endswith("+onnx") and out["cec_sym"] == pytest.approx(1.0, abs=1e-5)
