"""The persistent embedding cache (issue #19 part 5): keyed by encoder label, bounded, shared by two
processes writing at once, and a second scoring process embeds nothing."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cec_eval.embedding_cache import FILE_NAME, EmbeddingStore

OFFLINE = {k: "1" for k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_EVALUATE_OFFLINE")}


def vector(sentence: str, dim: int = 8) -> np.ndarray:
    """A vector fixed by the sentence, so any process can check what another wrote."""
    seed = int.from_bytes(hashlib.sha256(sentence.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)


def test_round_trip_keeps_vector_flag_and_label_apart(tmp_path):
    a = EmbeddingStore(tmp_path, "m@00000001")
    b = EmbeddingStore(tmp_path, "m@00000001+onnx-int8")
    a.put(["x.", "Ünïcode ✓ \ud800."], np.stack([vector("x."), vector("u")]), [False, True])
    got = a.get(["x.", "Ünïcode ✓ \ud800.", "missing."])
    assert set(got) == {"x.", "Ünïcode ✓ \ud800."}
    assert np.array_equal(got["x."][0], vector("x.")) and got["x."][1] is False
    assert np.array_equal(got["Ünïcode ✓ \ud800."][0], vector("u")) and got["Ünïcode ✓ \ud800."][1] is True
    assert b.get(["x."]) == {} and len(a) == 2 and len(b) == 0  # another backend never sees these
    a.put(["x."], vector("other")[None], [True])  # an existing row is kept
    assert np.array_equal(a.get(["x."])["x."][0], vector("x."))
    with pytest.raises(ValueError, match="2 sentences, 1 vectors"):
        a.put(["p.", "q."], vector("p")[None], [False, False])


def test_size_is_bounded_and_least_recently_used_go_first(tmp_path):
    store = EmbeddingStore(tmp_path, "m@1", max_bytes=256 * 1024)
    dim = 256  # 1 KiB per vector
    store.put(["keep me."], vector("keep me.", dim)[None], [False])
    for start in range(0, 2000, 100):
        names = [f"s{i}." for i in range(start, start + 100)]
        store.put(names, np.stack([vector(s, dim) for s in names]), [False] * 100)
        store.get(["keep me."])  # used after every batch: never the least recently used
    assert store._live_bytes(store.connection) <= 256 * 1024
    assert 100 < len(store) < 256  # evicted down to 90% of the bound, not emptied
    assert "keep me." in store.get(["keep me."]) and store.get(["s0."]) == {}  # the oldest went
    assert "s1999." in store.get(["s1999."])
    assert (tmp_path / FILE_NAME).stat().st_size < 2 * 256 * 1024  # freed pages are reused


WRITER = """
import hashlib, sys, numpy as np
from cec_eval.embedding_cache import EmbeddingStore
def vector(s, dim=8):
    seed = int.from_bytes(hashlib.sha256(s.encode()).digest()[:8], "little")
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
store = EmbeddingStore(sys.argv[1], "m@shared")
me = sys.argv[2]
for batch in range(60):
    # half of each batch is shared with the other writer (same sentence, same vector), half is own
    names = [f"shared {batch} {k}." for k in range(10)] + [f"{me} {batch} {k}." for k in range(10)]
    seen = store.get(names)
    new = [s for s in names if s not in seen]
    store.put(new, np.stack([vector(s) for s in new]) if new else np.zeros((0, 8), np.float32), [False] * len(new))
    assert all(np.array_equal(v, vector(s)) for s, (v, _) in seen.items())
print("ok")
"""


def test_two_processes_writing_at_once(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), me], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for me in ("A", "B")]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0 and out.strip() == "ok", err[-2000:]
    store = EmbeddingStore(tmp_path, "m@shared")
    names = [f"{who} {b} {k}." for who in ("shared", "A", "B") for b in range(60) for k in range(10)]
    got = store.get(names)
    assert len(store) == len(names) == len(got) == 1800
    assert all(np.array_equal(got[s][0], vector(s)) for s in names)


def test_a_custom_encoder_cannot_use_the_cache(tmp_path):
    from cec_eval.embed import Embedder
    from cec_eval.testing import BagOfWordsEncoder

    with pytest.raises(ValueError, match="needs a sentence-transformers model"):
        Embedder(BagOfWordsEncoder(), cache_dir=tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="not a folder"):
        EmbeddingStore(tmp_path / "file", "m@1")


SCORE = """
import json, sys, warnings
from cec_eval import CECScorer
warnings.simplefilter("ignore")
preds, refs = json.load(open(sys.argv[1]))
scorer = CECScorer(show_progress=False)  # the cache comes from $CEC_EVAL_EMBED_CACHE
r = scorer.score(preds, refs)
print(json.dumps({"sym": r.sym, "truncated": r.truncated, "stats": scorer.embedder.stats, "signature": r.signature}))
"""


@pytest.mark.slow
def test_second_process_embeds_nothing(tmp_path):
    long = " ".join(["Greenhouse gases trap outgoing heat"] * 60) + "."
    preds = ["CO2 traps heat. So the planet warms.", "Ice melts. " + long]
    refs = ["The planet warms because CO2 traps heat.", "Melting ice raises the sea."]
    data = tmp_path / "pairs.json"
    data.write_text(json.dumps([preds, refs]))
    env = {**os.environ, **OFFLINE, "CEC_EVAL_EMBED_CACHE": str(tmp_path / "emb"), "OMP_NUM_THREADS": "1"}
    runs = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(SCORE), str(data)], env=env,
                              capture_output=True, text=True, timeout=900)  # a loaded CI machine imports slowly
        assert proc.returncode == 0, proc.stderr[-2000:]
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    first, second = runs
    assert first["stats"]["encoded"] == 6 and first["stats"]["from_disk"] == 0
    assert second["stats"]["encoded"] == 0 and second["stats"]["from_disk"] == 6
    assert second["sym"] == first["sym"] and second["signature"] == first["signature"]
    assert second["truncated"] == first["truncated"] == [0, 1]  # the truncation flag survives the disk
