"""Chunked scoring (``cec-eval score --chunk-size``, issue #19): the corpus scored k pairs at a time,
with the in-memory embeddings dropped between chunks, gives exactly the unchunked result: per-pair
scores, corpus score, signature, empty rows, truncation counts and alignments; rows named in
warnings and errors are the corpus's."""
from __future__ import annotations

import json
import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval import cli
from cec_eval.commands.score import score_in_chunks
from cec_eval.errors import InputError
from cec_eval.inputs import EmptyPredictionWarning
from cec_eval.scorer import CECScorer, TruncationWarning
from cec_eval.testing import BagOfWordsEncoder

SENTENCES = [
    "Warm air melts the ice.", "The ice melts because the air is warm.", "CO2 traps heat.",
    "Heat is trapped by CO2.", "The rain made the road wet.", "Roads get wet when it rains.",
    "She slipped on the wet road.", "Because she slipped, she fell.", "The sea rises.",
]
# rows share sentences across chunks, one prediction is empty, rows have 1 to 3 references
PREDICTIONS = [
    "Warm air melts the ice. CO2 traps heat.", "The rain made the road wet.", "Heat is trapped by CO2. The sea rises.",
    "She slipped on the wet road. Because she slipped, she fell.", "CO2 traps heat. Warm air melts the ice.",
    "Roads get wet when it rains. The sea rises.", " ... ", "The ice melts because the air is warm.",
    "The rain made the road wet. She slipped on the wet road.", "CO2 traps heat.",
]
REFERENCES = [
    "The ice melts because the air is warm. Heat is trapped by CO2.", ["Roads get wet when it rains.", "The sea rises."],
    "CO2 traps heat.", "She slipped on the wet road, so she fell.", ["Warm air melts the ice.", "CO2 traps heat.", "The sea rises."],
    "The sea rises. Roads get wet when it rains.", "CO2 traps heat.", "Warm air melts the ice.",
    ["She slipped on the wet road.", "The rain made the road wet."], "Heat is trapped by CO2.",
]


def scored(chunk_size: int | None, variant: str = "plain", details: bool = True, **kwargs):
    scorer = CECScorer(model=BagOfWordsEncoder(), variant=variant, **kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if chunk_size is None:
            result = scorer.score(PREDICTIONS, REFERENCES, details=details)
        else:
            result = score_in_chunks(scorer, PREDICTIONS, REFERENCES, chunk_size, details=details)
    return scorer, result, [(w.category, str(w.message)) for w in caught]


@pytest.mark.parametrize("chunk_size", [1, 3, 4, len(PREDICTIONS) - 1])
@pytest.mark.parametrize("variant", ["plain", "causal"])
def test_chunked_equals_unchunked_exactly(chunk_size, variant):
    _, whole, whole_warnings = scored(None, variant)
    scorer, chunked, chunked_warnings = scored(chunk_size, variant)
    assert chunked.to_dict() == whole.to_dict()  # every per-pair score, mean, signature, rows, alignments
    assert chunked.score == whole.score and chunked.sym == whole.sym and chunked.forward == whole.forward
    assert chunked.signature == whole.signature and "nrefs:var" in chunked.signature  # a chunk alone may be nrefs:1
    assert chunked.empty_predictions == [6]  # the corpus row, not the chunk's
    assert chunked_warnings == whole_warnings == [(EmptyPredictionWarning, "CEC: 1 of 10 predictions are empty (rows 6) and score 0")]
    encoded = scorer.embedder.stats["encoded"]
    scorer.embedder.encode(["CO2 traps heat."])  # seen in several chunks, but dropped after the last
    assert scorer.embedder.stats["encoded"] == encoded + 1
    if variant == "causal":  # the matcher's per-sentence links and span vectors are dropped too
        assert not scorer.matcher._links and not scorer.matcher._spans and not scorer.matcher._open
        assert scorer.matcher.stats["with_links"] > 0  # links were found (the check above is not vacuous)


def test_in_memory_cache_is_dropped_between_chunks():
    # without a persistent cache a sentence seen in an earlier chunk is encoded again: the cost of
    # bounded memory, counted by the embedder
    def unique(rows):
        return len({s for p, r in rows for t in [p, *([r] if isinstance(r, str) else r)] for s in re.split(r"(?<=\.)\s+", t.strip()) if s.strip(" .")})

    pairs = list(zip(PREDICTIONS, REFERENCES))
    whole, _, _ = scored(None, details=False, splitter="regex")
    chunked, _, _ = scored(3, details=False, splitter="regex")
    assert whole.embedder.stats["encoded"] == unique(pairs)
    assert chunked.embedder.stats["encoded"] == sum(unique(pairs[i:i + 3]) for i in range(0, len(pairs), 3))
    assert chunked.embedder.stats["encoded"] > whole.embedder.stats["encoded"]


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.lists(st.sampled_from(SENTENCES), min_size=0, max_size=3),
                               st.lists(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3), min_size=1, max_size=2)),
                     min_size=1, max_size=12),
       chunk_size=st.integers(1, 13))
def test_chunked_equals_unchunked_property(rows, chunk_size):
    preds = [" ".join(p) for p, _ in rows]
    refs = [[" ".join(r) for r in group] for _, group in rows]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyPredictionWarning)
        whole = CECScorer(model=BagOfWordsEncoder(), splitter="regex").score(preds, refs)
        chunked = score_in_chunks(CECScorer(model=BagOfWordsEncoder(), splitter="regex"), preds, refs, chunk_size)
    assert chunked.to_dict() == whole.to_dict()


def test_error_names_the_corpus_row():
    # the splitter finds no sentence in one reference of the third chunk: the error names row 7
    splitter = lambda text: [] if text == "NOTHING" else [text]  # noqa: E731
    refs = list(REFERENCES)
    refs[7] = "NOTHING"
    with pytest.raises(InputError, match=r"^references\[7\]: the splitter"):
        CECScorer(model=BagOfWordsEncoder(), splitter=splitter).score(PREDICTIONS, refs)
    with pytest.raises(InputError, match=r"^references\[7\]: the splitter"):
        score_in_chunks(CECScorer(model=BagOfWordsEncoder(), splitter=splitter), PREDICTIONS, refs, 3)


@pytest.mark.parametrize("bad", ["0", "-5", "ten"])
def test_chunk_size_must_be_positive(bad, tmp_path, capsys):
    (tmp_path / "p.txt").write_text("A.\n")
    with pytest.raises(SystemExit) as e:
        cli.main(["score", "-p", str(tmp_path / "p.txt"), "-r", str(tmp_path / "p.txt"), "--chunk-size", bad])
    assert e.value.code == 2 and f"expected a whole number >= 1, got {bad!r}" in capsys.readouterr().err


def test_minilm_chunked_equals_unchunked_with_persistent_cache(minilm, tmp_path):
    # batch size 1: each sentence is embedded alone, so its vector cannot depend on which other
    # sentences share its batch (with larger batches, padding changes the last bits)
    long = "The glacier " + " ".join(["slowly"] * 300) + " retreats."  # > 256 word pieces: truncated
    preds = [*PREDICTIONS[:8], long, PREDICTIONS[9]]
    scorer = CECScorer(model=minilm, batch_size=1, cache_dir=tmp_path / "cache")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        whole = CECScorer(model=minilm, batch_size=1).score(preds, REFERENCES, details=True)
        del caught[:]
        chunked = score_in_chunks(scorer, preds, REFERENCES, 4, details=True)
    assert chunked.to_dict() == whole.to_dict()
    assert chunked.truncated[8] == 1 and sum(chunked.truncated) == 1
    truncation = [str(w.message) for w in caught if w.category is TruncationWarning]
    assert len(truncation) == 1 and "(rows 8)" in truncation[0]
    # repeats across chunks came back from disk instead of being encoded again
    stats = scorer.embedder.stats
    assert stats["from_disk"] > 0 and stats["encoded"] == len(scorer.embedder.store)


def test_cli_chunked_output_equals_unchunked(minilm_path, tmp_path, capsys):
    preds, refs = tmp_path / "p.jsonl", tmp_path / "r.jsonl"
    preds.write_text("".join(json.dumps({"p": p}) + "\n" for p in PREDICTIONS))
    refs.write_text("".join(json.dumps({"r": r}) + "\n" for r in REFERENCES))
    common = ["score", "-p", str(preds), "-r", str(refs), "--pred-field", "p", "--ref-field", "r",
              "--model", minilm_path, "--batch-size", "1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyPredictionWarning)
        assert cli.main([*common, "-o", str(tmp_path / "whole.json")]) == 0
        whole_out = capsys.readouterr().out
        assert cli.main([*common, "-o", str(tmp_path / "chunked.json"), "--chunk-size", "3"]) == 0
    captured = capsys.readouterr()
    assert json.loads((tmp_path / "chunked.json").read_text()) == json.loads((tmp_path / "whole.json").read_text())
    assert captured.out == whole_out  # the same summary: scores, n, empty rows, signature
    assert "10/10" in captured.err  # one bar over the corpus, in pairs


def test_clear_cache_reaches_a_matcher_that_has_one():
    from cec_eval.matchers import CosineMatcher

    class CountingMatcher(CosineMatcher):
        name = "plain-counting"
        cleared = 0

        def clear_cache(self):
            self.cleared += 1

    matcher = CountingMatcher()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyPredictionWarning)
        score_in_chunks(CECScorer(model=BagOfWordsEncoder(), variant=matcher), PREDICTIONS, REFERENCES, 4)
    assert matcher.cleared == 3  # after each of the 3 chunks


def test_rescaled_chunked_equals_unchunked(tmp_path):
    from cec_eval.baseline import baseline_key

    path = tmp_path / "baselines.json"
    key = baseline_key(CECScorer(model=BagOfWordsEncoder()))
    path.write_text(json.dumps({key: {"forward": 0.1, "backward": 0.2, "sym": 0.15}}))
    _, whole, _ = scored(None, rescale_with_baseline=True, baseline_file=path)
    _, chunked, _ = scored(4, rescale_with_baseline=True, baseline_file=path)
    assert chunked.to_dict() == whole.to_dict() and chunked.raw == whole.raw and chunked.raw is not None
    assert "rescale:b=0.1000/0.2000/0.1500" in chunked.signature and chunked.sym[6] == 0.0  # the empty row stays 0
