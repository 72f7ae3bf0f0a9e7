"""WordNet is read through one explicit reader and never leaves nltk's global state changed.

The failure this guards against (issue #11): the finder appended its cache folder to
``nltk.data.path``; a later lookup then found that folder through nltk's own ``wordnet`` loader,
which needs ``index.sense`` (absent from Debian's ``wordnet-base``). Whether METEOR worked depended
on what an earlier call or run had left behind. Each case runs in a fresh interpreter with its own
cache folder, so nothing from this test process (or an earlier run) can make it pass.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cec_eval.metrics import wordnet as wnmod

SYSTEM = next((d for d in wnmod._candidate_dirs() if wnmod._is_wordnet_dir(d)), None)
needs_system_wordnet = pytest.mark.skipif(SYSTEM is None, reason="no system WordNet (apt-get install wordnet-base)")

# One probe script: finds WordNet (refreshing in the order given), scores METEOR, and reports
# nltk.data.path before and after, and what the reader saw.
PROBE = r"""
import json, os, sys
import nltk
from cec_eval.metrics import wordnet as wnmod
from cec_eval.metrics import get_metric
before = list(nltk.data.path)
out = {"steps": []}
for step in sys.argv[1].split(","):
    if step == "none":
        os.environ["CEC_EVAL_WORDNET"] = "none"
    elif step == "system":
        os.environ.pop("CEC_EVAL_WORDNET", None)
    info = wnmod.find_wordnet(refresh=True)
    m = get_metric("meteor")
    res = m.score(["the car is fast"], ["the automobile is quick"])
    out["steps"].append({"variant": info.variant, "source": info.source, "meteor": res.scores[0],
                         "car_is_auto": bool(info.reader is not None and
                                             info.reader.synsets("car")[0] in info.reader.synsets("auto"))})
    out["path_unchanged"] = list(nltk.data.path) == before
print("RESULT " + json.dumps(out))
"""


def _probe(steps: str, cache: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CEC_EVAL_WORDNET", "NLTK_DATA")}
    env["CEC_EVAL_CACHE"] = cache
    proc = subprocess.run([sys.executable, "-c", PROBE, steps], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


@needs_system_wordnet
def test_cold_then_warm_cache_same_scores(tmp_path):
    cache = str(tmp_path / "cache")
    cold = _probe("system", cache)  # assembles the corpus into an empty cache
    assert (tmp_path / "cache" / "nltk_data" / "corpora" / "wordnet" / "lexnames").is_file()
    warm = _probe("system", cache)  # reads the assembled copy
    for run in (cold, warm):
        (step,) = run["steps"]
        assert step["variant"] == "wordnet-3.0" and step["car_is_auto"]
        assert run["path_unchanged"]
    assert cold["steps"][0]["meteor"] == warm["steps"][0]["meteor"]


@needs_system_wordnet
@pytest.mark.parametrize("order", ["system,system,system", "none,system,none,system", "system,none,system"])
def test_repeated_refreshes_in_any_order(tmp_path, order):
    run = _probe(order, str(tmp_path / "cache"))
    with_wn = {s["meteor"] for s in run["steps"] if s["variant"] == "wordnet-3.0"}
    without = {s["meteor"] for s in run["steps"] if s["variant"] == "none"}
    assert len(with_wn) == 1 and len(without) <= 1  # the same answer every time for each source
    if without:
        # synonyms matter for this pair: car/automobile, fast/quick
        assert with_wn.pop() > without.pop()
    assert all(s["car_is_auto"] for s in run["steps"] if s["variant"] == "wordnet-3.0")
    assert run["path_unchanged"]


@needs_system_wordnet
def test_reader_leaves_nltk_path_alone_in_process(tmp_path, monkeypatch):
    import nltk

    monkeypatch.setenv("CEC_EVAL_CACHE", str(tmp_path))
    before = list(nltk.data.path)
    wn = wnmod._reader(wnmod._assemble(SYSTEM))
    assert list(nltk.data.path) == before
    assert wn.synsets("dog") and list(nltk.data.path) == before
    # nested use (a reader call inside another's sandbox) keeps the root until the outer one ends
    with wnmod._nltk_root(wn._root):
        assert wn._root in nltk.data.path
        wn.synsets("cat")
        assert wn._root in nltk.data.path
    assert list(nltk.data.path) == before
