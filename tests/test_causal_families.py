"""Connective-family contrast sets: a fixed held-out split, well-formed reversals, the lexicon
phrases each family is found by, the blind set's loader, and direction accuracy with the real MiniLM."""
from __future__ import annotations

import json
import zlib

import pytest

from cec_eval.causal import CausalMatcher, families
from cec_eval.errors import InputError

ROWS = [{"index": f"train-{k}", "cause": f"The cat number {k} sat on the rug.", "effect": f"The mat number {k} got warm in the sun."}
        for k in range(400)]


def test_split_is_a_fixed_hash_of_the_index_and_keeps_developed_rows_in_dev():
    for row in ROWS:
        expected = "heldout" if zlib.crc32(row["index"].encode()) % 4 == 0 else "dev"
        assert families.split_of(row["index"], set()) == expected
    held = next(r["index"] for r in ROWS if families.split_of(r["index"], set()) == "heldout")
    assert families.split_of(held, {held}) == "dev"


def test_build_is_deterministic_and_disjoint_across_splits():
    dev = families.build("dev", per_family=5, rows=ROWS, developed_on=set())
    again = families.build("dev", per_family=5, rows=list(reversed(ROWS)), developed_on=set())
    held = families.build("heldout", per_family=5, rows=ROWS, developed_on=set())
    assert len(dev) == len(held) == 5 * len(families.FAMILIES)
    assert {it["id"] for it in dev}.isdisjoint({it["id"] for it in held})
    assert [it["family"] for it in dev] == [it["family"] for it in again]
    assert all(it["split"] == "heldout" and families.split_of(it["id"].removeprefix("ecare-"), set()) == "heldout" for it in held)


def test_items_state_the_pair_and_its_reversals():
    for it in families.build("dev", per_family=3, rows=ROWS, developed_on=set()):
        k = it["id"].split("-")[-1]
        cause, effect = f"the cat number {k} sat on the rug", f"the mat number {k} got warm in the sun"
        t = it["templates"]
        assert it["paraphrase_family"] != it["family"] and t["paraphrase"] in families.FAMILIES[it["paraphrase_family"]]
        fill = lambda tpl, c, e: tpl.format(c=c, e=e, C=c[:1].upper() + c[1:], E=e[:1].upper() + e[1:])  # noqa: E731
        assert it["reference"] == fill(t["reference"], cause, effect)
        assert it["reversal_reference"] == fill(t["reference"], effect, cause)
        assert it["reversal_paraphrase"] == fill(t["paraphrase"], effect, cause)
        # the flipped reversal states the events in the reference's order
        first = lambda text: text.lower().find("cat") < text.lower().find("mat")  # noqa: E731
        assert first(it["reversal_flipped"]) == first(it["reference"])
        assert it["reversal_flipped"] == fill(t["flipped"], effect, cause)


def test_family_connectives_are_the_longest_lexicon_phrases():
    assert families.family_connectives("reason across sentences (B. This is because A.)") == ["because", "due to the fact that", "the reason is that"]
    assert "because of this" in families.family_connectives("result across sentences (A. As a result, B.)")
    assert "because" not in families.family_connectives("result across sentences (A. As a result, B.)")
    for family in families.FAMILIES:  # every template is found by something in the lexicon
        assert families.family_connectives(family)


def test_blind_set_loads_and_bad_rows_name_the_line(tmp_path):
    items = families.load_blind()
    assert len(items) >= 60 and len({it["id"] for it in items}) == len(items)
    bad = tmp_path / "b.jsonl"
    bad.write_text(json.dumps({"reference": "a", "paraphrase": "b", "reversal_reference": "", "reversal_paraphrase": "d"}) + "\n")
    with pytest.raises(InputError, match=r"b.jsonl:1: field 'reversal_reference' is missing or empty"):
        families.load_blind(bad)


def test_direction_accuracy_per_family_with_minilm(minilm):
    """Real e-CARE dev items (4 per family): the causal variant orders paraphrase above reversal in
    almost every contrast; plain CEC does not."""
    from cec_eval import CECScorer

    items = families.build("dev", per_family=4)
    scorer = CECScorer(model=minilm, variant="causal")
    acc = families.accuracy_by_family(items, families.direction_wins(scorer, items))
    assert sum(r["all"] for r in acc.values()) / len(acc) >= 0.9
    plain = families.accuracy_by_family(items, families.direction_wins(CECScorer(model=minilm), items))
    assert sum(r["all"] for r in plain.values()) / len(plain) < 0.7
    # without the across-sentence family's connectives its references have no link through them (its
    # reversals in the same words are still caught by the swap test, which needs no lexicon: table 3)
    fam = "result across sentences (A. As a result, B.)"
    own = families.family_connectives(fam)
    sentences = [s for it in items if it["family"] == fam for s in scorer.split(it["reference"])]
    read = {l.connective for links in CausalMatcher().extractor.extract(sentences) for l in links}
    left_out = {l.connective for links in CausalMatcher(exclude=own).extractor.extract(sentences) for l in links}
    assert read & set(own) and not left_out & set(own)
    scorer.matcher = CausalMatcher(exclude=own)
    lofo = families.accuracy_by_family(items, families.direction_wins(scorer, items))
    assert lofo[fam]["all"] <= acc[fam]["all"]
