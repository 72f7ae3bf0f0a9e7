"""Every front door on arbitrary input (hypothesis): any Unicode text, whitespace of every kind,
single and multi references mixed in one call, empty lists and non-strings.

For every input either each door raises the *same* one-line ``InputError`` as the contract
(:func:`cec_eval.inputs.check_pairs`), or none crashes and every score is finite and in bounds,
empty predictions score 0, and the Python API, the evaluate module and the metric suite give the
same numbers. Shapes are exercised with a deterministic bag-of-words encoder (fast); the real
MiniLM (CEC, BERTScore, the CLI in-process) gets a few examples for the real numbers.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import unicodedata
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cec_eval import CECScorer, get_scorer
from cec_eval.errors import InputError
from cec_eval.evaluate_hook import module_path
from cec_eval.inputs import check_pairs
from cec_eval.metrics import get_metric
from cec_eval.testing import BagOfWordsEncoder

LEXICAL = ("bleu", "rouge1", "rouge2", "rougeL", "meteor")
QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

_space = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u200b", "\ufeff", "\u2028"])
_word = st.sampled_from([
    "heat", "CO2", "ice", "melts.", "So", "the planet warms.", "जलवायु", "है।", "热量", "。", "الحرارة،",
    "тепло", "東京は", "ภาวะ", "🔥", "...", "-", "\ufffd", "e.g.", "U.S.", "1.5°C", "<b>", "&amp;",
])
_any_char = st.characters(blacklist_categories=("Cs",))  # every code point a str can hold
_text = st.one_of(
    st.text(_any_char, max_size=20),
    st.lists(st.one_of(_word, _space, st.text(_any_char, max_size=3)), max_size=10).map("".join),
    st.lists(_space, max_size=3).map("".join),
)
# references mostly have content (else the call is an InputError and nothing else is exercised)
_content = st.tuples(_text, st.sampled_from(["heat", "जलवायु", "热量", "الحرارة", "тепло", "ภาวะ", "🔥", "7"]), _text).map("".join)
_ref_text = st.one_of(_content, _content, _content, _text)
_reference = st.one_of(_ref_text, _ref_text, st.lists(_ref_text, min_size=1, max_size=3), st.lists(_text, max_size=2))
_rows = st.lists(st.tuples(st.one_of(_content, _text), _reference), min_size=0, max_size=4)
_odd = st.one_of(st.none(), st.integers(), st.just(b"bytes"))  # non-strings


def _contract_error(preds, refs) -> str | None:
    try:
        check_pairs(preds, refs)
    except InputError as e:
        return str(e)
    return None


def _empty(text: str) -> bool:
    return not any(unicodedata.category(c)[0] in "LNS" and c != "\ufffd" for c in text)


def _finite_in(values, low, high):
    return all(math.isfinite(x) and low - 1e-6 <= x <= high + 1e-6 for x in values)


@pytest.fixture(scope="module")
def doors():
    import evaluate

    encoder = BagOfWordsEncoder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # METEOR warns once when WordNet is missing
        metrics = {name: get_metric(name) for name in LEXICAL}
    metrics["cec"] = get_metric("cec", model=encoder)
    return {"encoder": encoder, "api": CECScorer(model=encoder), "evaluate": evaluate.load(module_path("cec")), "metrics": metrics}


@settings(max_examples=int(os.environ.get("CEC_PROPERTY_EXAMPLES", 100)), deadline=None, database=None, suppress_health_check=QUIET)
@given(rows=_rows, odd=st.one_of(st.none(), st.none(), st.none(), st.tuples(st.integers(0, 3), st.booleans(), _odd)))
def test_every_door_agrees_on_any_input(doors, rows, odd):
    preds = [p for p, _ in rows]
    refs = [r for _, r in rows]
    if odd is not None and rows:  # put a non-string into a prediction or a reference
        i, in_pred, value = odd
        i %= len(rows)
        (preds if in_pred else refs)[i] = value
    calls = {
        "api": lambda: doors["api"].score(preds, refs),
        "evaluate": lambda: doors["evaluate"].compute(predictions=preds, references=refs, model=doors["encoder"]),
        **{name: (lambda m=m: m.score(preds, refs)) for name, m in doors["metrics"].items()},
    }
    error = _contract_error(preds, refs)
    event("input error" if error else f"scored, {'with' if any(map(_empty, preds)) else 'no'} empty prediction")
    if error is not None:
        for name, call in calls.items():
            with pytest.raises(InputError) as e:
                call()
            assert str(e.value) == error, name
        with pytest.raises(InputError) as e:  # compare names the system when its predictions are at fault
            _compare(doors, preds, refs)
        assert str(e.value) in (error, f"system 'a': {error}")
        return

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {name: call() for name, call in calls.items()}
    empty = [i for i, p in enumerate(preds) if _empty(p)]
    api = out["api"]
    assert len(api) == len(preds) and api.empty_predictions == empty
    for d in ("forward", "backward", "sym"):
        values = getattr(api, d)
        assert _finite_in(values, -1.0, 1.0), d
        assert all(values[i] == 0.0 for i in empty)
    assert math.isfinite(api.score)
    ev = out["evaluate"]
    assert [s["sym"] for s in ev["scores"]] == pytest.approx(api.sym, abs=1e-6)
    assert [s["forward"] for s in ev["scores"]] == pytest.approx(api.forward, abs=1e-6)
    assert ev["empty_predictions"] == empty and ev["signature"] == api.signature
    assert out["cec"].scores == pytest.approx(api.sym, abs=1e-6)
    cmp = _compare(doors, preds, refs)
    assert cmp.empty == {"a": empty, "b": [len(preds) - 1 - i for i in reversed(empty)]}
    assert cmp.results["a"]["cec"].scores == pytest.approx(api.sym, abs=1e-6)
    assert ("| a † |" in cmp.to_markdown()) == bool(empty) and cmp.to_csv()
    for name in LEXICAL:
        res = out[name]
        assert len(res.scores) == len(preds) and _finite_in(res.scores, 0.0, 1.0), name
        assert res.empty_predictions == empty and all(res.scores[i] == 0.0 for i in empty), name
        assert res.corpus is None or _finite_in([res.corpus], 0.0, 1.0)


def _compare(doors, preds, refs):
    """compare_systems with two systems (the predictions and their reverse), tiny resample counts."""
    from cec_eval.compare import compare_systems

    systems = {"a": preds, "b": preds[::-1] if isinstance(preds, list) else preds}
    return compare_systems(
        refs, systems, metrics="rouge1,cec", metric_options={"cec": {"model": doors["encoder"]}},
        n_resamples=10, sample=None, metric_pairs=[("cec", "rouge1")], paired_bs_resamples=10,
        paired_ar_trials=10, progress=False,
    )


# -- real numbers: MiniLM through the API, evaluate, the metric suite and the CLI ---------------

_real_text = st.one_of(
    st.lists(_word, min_size=0, max_size=6).map(" ".join),
    st.text(_any_char, max_size=12),
)
_real_ref = st.one_of(_content, _real_text)
_real_rows = st.lists(st.tuples(_real_text, st.one_of(_real_ref, st.lists(_real_ref, min_size=1, max_size=2))), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def real(doors):
    return {"evaluate": doors["evaluate"], "bertscore": get_metric("bertscore"), "cec": get_metric("cec")}


def _cli_score(preds, refs):
    from cec_eval.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "p.jsonl").write_text("".join(json.dumps({"prediction": p}) + "\n" for p in preds), encoding="utf-8")
        (tmp / "r.jsonl").write_text("".join(json.dumps({"reference": r}) + "\n" for r in refs), encoding="utf-8")
        rc = main(["score", "-p", str(tmp / "p.jsonl"), "-r", str(tmp / "r.jsonl"), "-o", str(tmp / "out.json"), "--no-progress"])
        return rc, (json.loads((tmp / "out.json").read_text()) if rc == 0 else None)


@settings(max_examples=6, deadline=None, database=None, suppress_health_check=QUIET)
@given(rows=_real_rows)
def test_real_encoders_agree_across_doors(real, rows):
    preds = [p for p, _ in rows]
    refs = [r for _, r in rows]
    error = _contract_error(preds, refs)
    event("input error" if error else "scored")
    if error is not None:
        with pytest.raises(InputError, match="^" + error.replace("[", r"\[").replace("]", r"\]").replace("(", r"\(").replace(")", r"\)") + "$"):
            real["bertscore"].score(preds, refs)
        rc, _ = _cli_score(preds, refs)
        assert rc == 2
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = get_scorer().score(preds, refs)
        ev = real["evaluate"].compute(predictions=preds, references=refs)
        bert = real["bertscore"].score(preds, refs)
        cec = real["cec"].score(preds, refs)
        rc, cli = _cli_score(preds, refs)
    empty = [i for i, p in enumerate(preds) if _empty(p)]
    assert _finite_in(api.sym, -1.0, 1.0) and api.empty_predictions == empty
    assert [s["sym"] for s in ev["scores"]] == pytest.approx(api.sym, abs=1e-5)
    assert cec.scores == pytest.approx(api.sym, abs=1e-5)
    assert rc == 0 and [s["sym"] for s in cli["scores"]] == pytest.approx(api.sym, abs=1e-5)
    assert _finite_in(bert.scores, -1.0, 1.0) and all(bert.scores[i] == 0.0 for i in empty)
