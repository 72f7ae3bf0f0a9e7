"""The learned direction check (cec_eval.causal.direction_model) and its training module, on the
real MiniLM base and the shipped adapter."""
from __future__ import annotations

import json

import numpy as np
import pytest

from cec_eval.causal import direction_training as dt
from cec_eval.causal.direction_model import ADAPTER, DirectionClassifier, adapter_id
from cec_eval.errors import InputError


@pytest.fixture(scope="module")
def clf() -> DirectionClassifier:
    return DirectionClassifier()


# written for this test, in no development or blind set: (reference, same direction, reversed)
CLAIMS = [
    ("The ferry was cancelled because the harbour froze over.",
     "Ice closing the harbour led to the ferry being called off.",
     "The harbour froze over because the ferry was cancelled."),
    ("A loose belt made the dryer squeal all evening.",
     "The dryer squealed all evening; the belt had worked loose.",
     "The dryer squealing all evening made the belt loose."),
    ("Our sourdough collapsed. We had left it to prove for too long.",
     "Over-proving is why our sourdough fell flat.",
     "We left our sourdough to prove for too long. It had collapsed."),
]


def test_adapter_id_names_the_shipped_weights():
    name = adapter_id()
    assert name.startswith("minilm+lora@") and len(name.split("@")[1]) == 8
    assert name == DirectionClassifier().name


@pytest.mark.parametrize("ref,para,rev", CLAIMS)
def test_same_direction_ranks_the_paraphrase_above_the_reversal(clf, ref, para, rev):
    p_para, p_rev = clf.same_direction([para, rev], [ref, ref])
    assert p_para > p_rev


def test_same_direction_is_symmetric_bounded_and_cached(clf):
    a = [c[0] for c in CLAIMS]
    b = [c[2] for c in CLAIMS]
    p = clf.same_direction(a, b)
    assert p.shape == (3,) and p.dtype == np.float64
    assert ((p >= 0) & (p <= 1)).all()
    n = len(clf._cache)
    np.testing.assert_array_equal(clf.same_direction(b, a), p)
    assert len(clf._cache) == n  # the reversed order is the same unordered pair
    assert clf.same_direction([], []).shape == (0,)


def test_same_direction_rejects_unequal_lengths(clf):
    with pytest.raises(ValueError, match="same length"):
        clf.same_direction(["a"], ["b", "c"])


def test_a_folder_without_an_adapter_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        DirectionClassifier(tmp_path)


def test_pairs_are_six_per_item_in_both_orders():
    item = dict(zip(dt.FIELDS, ("R", "P", "RR", "RP")))
    pairs = dt.direction_pairs([item])
    assert len(pairs) == 12
    assert sorted((a, b) for a, b, y in pairs if y) == [("P", "R"), ("R", "P"), ("RP", "RR"), ("RR", "RP")]
    assert {(b, a, y) for a, b, y in pairs} == set(pairs)


def test_training_names_the_file_row_and_field_of_a_bad_row(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"reference": "A", "paraphrase": "B", "reversal_reference": "C"}) + "\n")
    with pytest.raises(InputError, match=r"set\.jsonl:1: row 0 has no field 'reversal_paraphrase'"):
        dt.train(dt.DirectionTrainingConfig(sets=[path], output_dir=tmp_path / "out", max_steps=1))


def test_a_short_training_run_writes_an_adapter_the_classifier_loads(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(dict(zip(dt.FIELDS, c + (c[2].replace("because", "so"),)))) + "\n"
                            for c in CLAIMS))
    out = dt.train(dt.DirectionTrainingConfig(sets=[path], output_dir=tmp_path / "adapter", max_steps=2, batch_size=4))
    assert (out / "adapter_model.safetensors").is_file()
    assert json.loads((out / "adapter_config.json").read_text())["r"] == dt.DirectionTrainingConfig.lora_r
    trained = DirectionClassifier(out)
    assert trained.name != adapter_id(ADAPTER)
    p = trained.same_direction([CLAIMS[0][0]], [CLAIMS[0][1]])
    assert 0.0 <= p[0] <= 1.0


def test_the_matcher_takes_the_check_off_a_reversal_only(minilm_path, clf):
    from cec_eval import CECScorer
    from cec_eval.causal import CausalMatcher

    ref, para, rev = CLAIMS[1]
    p_para, p_rev = clf.same_direction([para, rev], [ref, ref])
    rules = CECScorer(model=minilm_path, variant=CausalMatcher(), show_progress=False).score([para, rev], [ref, ref]).sym
    on = CECScorer(model=minilm_path, variant=CausalMatcher(learned=0.5, direction_model=clf), show_progress=False)
    both = on.score([para, rev], [ref, ref])
    # the penalty is 0.5 * max(0, 1 - 2 P) on every sentence pair, so CEC_sym moves by exactly that
    for got, base, p in zip(both.sym, rules, (p_para, p_rev)):
        assert got == pytest.approx(max(-1.0, base - 0.5 * max(0.0, 1 - 2 * p)), abs=1e-6)
    assert "dir=minilm+lora@" in both.signature and "dir=" not in CausalMatcher().name


def test_the_matcher_rejects_a_weight_outside_0_1():
    from cec_eval.causal import CausalMatcher

    with pytest.raises(ValueError, match="learned must be in"):
        CausalMatcher(learned=1.5)
