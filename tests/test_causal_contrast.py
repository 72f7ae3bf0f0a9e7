"""The shipped e-CARE direction contrast set: rebuildable byte for byte, well formed, and the
causal variant orders paraphrase above reversal on ≥ 90% of it with the real MiniLM."""
from __future__ import annotations

import gzip
import json
import random

import pytest

from cec_eval import CECScorer
from cec_eval.causal import contrast
from cec_eval.errors import InputError


def test_shipped_set_is_the_builder_output(tmp_path):
    out = contrast.write(contrast.build(n=300, seed=13), tmp_path / "set.jsonl.gz")
    assert gzip.decompress(out.read_bytes()) == gzip.decompress(contrast.SHIPPED.read_bytes())


def test_shipped_set_is_well_formed():
    items = contrast.load()
    assert len(items) == 300
    assert len({it["id"] for it in items}) == 300
    kinds = {it["reversal_kind"] for it in items}
    assert kinds == {"reference_template", "paraphrase_template"}
    for it in items:
        # the paraphrase changes the wording, the reversal swaps cause and effect
        assert it["paraphrase"] != it["reference"] and it["reversal"] != it["reference"]
        assert it["templates"]["paraphrase"] != it["templates"]["reference"]
        assert it["templates"]["reversal"] in (it["templates"]["reference"], it["templates"]["paraphrase"])


def test_item_construction():
    row = {"index": "train-7", "cause": "Tom dropped the glass.", "effect": "The glass broke."}
    item = contrast.make_item(row, random.Random(0), 0, lowercase={"the", "glass"})
    t = item["templates"]
    assert item["reference"] == contrast._fill(t["reference"], row["cause"], row["effect"], {"the", "glass"})
    assert item["reversal"] == contrast._fill(t["reversal"], row["effect"], row["cause"], {"the", "glass"})
    assert contrast.clause("Tom dropped the glass.", {"the"}) == "Tom dropped the glass"  # a name keeps its capital
    assert contrast.clause("The glass broke.", {"the"}) == "the glass broke"
    assert contrast.clause("CO2 traps heat.") == "CO2 traps heat"


def test_bad_rows_are_named():
    with pytest.raises(InputError, match="row train-9: field 'effect'"):
        contrast.make_item({"index": "train-9", "cause": "x", "effect": " "}, random.Random(0), 0)


def test_bad_file_lines_are_named(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"reference": "a", "paraphrase": "b", "reversal": "c"}) + "\n{oops\n")
    with pytest.raises(InputError, match=r"c.jsonl:2: not JSON"):
        contrast.load(path)
    path.write_text(json.dumps({"reference": "a", "paraphrase": "", "reversal": "c"}) + "\n")
    with pytest.raises(InputError, match=r"c.jsonl:1: field 'paraphrase'"):
        contrast.load(path)


@pytest.mark.slow
def test_direction_accuracy_on_the_shipped_set(minilm):
    items = contrast.load()
    plain = contrast.direction_scores(CECScorer(model=minilm), items)
    causal = contrast.direction_scores(CECScorer(model=minilm, variant="causal"), items)
    assert causal["accuracy"] >= 0.90
    assert plain["accuracy"] < 0.6  # about chance
    assert causal["signature"].startswith("cec:causal-v25(")
    # the half whose reversal keeps the reference's clause order: plain CEC is at chance
    hard = [i for i, it in enumerate(items) if it["reversal_kind"] == "paraphrase_template"]
    plain_hard = sum(plain["paraphrase"][i] > plain["reversal"][i] for i in hard) / len(hard)
    causal_hard = sum(causal["paraphrase"][i] > causal["reversal"][i] for i in hard) / len(hard)
    assert plain_hard < 0.55 and causal_hard >= 0.9
