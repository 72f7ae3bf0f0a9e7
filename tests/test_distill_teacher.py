"""Teacher step: shipped sources, the OpenAI-compatible backend against a real local server (faults,
resume), the local transformers backend, the gold filter and the GPQA in-memory rule."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cec_eval.chat import ChatClient
from cec_eval.distill.filters import agrees_with_gold, gold_filter
from cec_eval.distill.records import read_jsonl, write_jsonl
from cec_eval.distill.sources import load_items
from cec_eval.distill.teacher import LocalChatModel, run_teacher
from cec_eval.errors import InputError
from chat_server import ChatServer

SECRET = "sk-teacher-secret-0042"


def _answer(body: dict) -> str:
    """A deterministic 'teacher': names the item's first 30 characters."""
    return "Because " + body["messages"][-1]["content"][:30]


def test_climate_fever_offset_keeps_training_claims_out_of_the_evaluated_ones():
    from cec_eval.tasks.data import climate_fever

    evaluated = [d["claim_id"] for d in climate_fever()["test"]][:50]  # what lm-eval --limit 50 scores
    train = load_items("climate_fever", limit=200, offset=50)
    assert len(train) == 200
    assert not set(evaluated) & {it["claim_id"] for it in train}
    # the student prompt is the task pack's prompt, verbatim
    from cec_eval.tasks.prompts import climate_fever_prompt

    first = load_items("climate_fever", limit=1)[0]
    doc = climate_fever()["test"][0]
    assert first["prompt"] == climate_fever_prompt(doc)
    assert first["rationale"] == doc["references"][0]


def test_dataset_backend_wraps_gsm8k_solutions_in_the_claire_format():
    from cec_eval.tasks.causality import parse_causal_response

    traces, summary = run_teacher(load_items("gsm8k", limit=5), "dataset")
    assert summary["traces"] == 5
    assert traces[0]["completion"] == (
        "<think>\n<causality>\nNatalia sold 48/2 = 24 clips in May.\n"
        "Natalia sold 48+24 = 72 clips altogether in April and May.\n</causality>\n</think>\nThe answer is 72."
    )
    assert all(parse_causal_response(t["completion"]).compliant for t in traces)
    kept, s = gold_filter(traces)
    assert s["kept"] == 5


def test_openai_teacher_survives_faults_and_records_usage(monkeypatch, tmp_path):
    monkeypatch.setenv("TEACHER_KEY", SECRET)
    items = load_items("copa", limit=6)
    with ChatServer(responder=_answer, faults=["429", "500", "malformed", "truncated"], api_key=SECRET) as srv:
        client = ChatClient(srv.base_url, "gpt-teacher", api_key_env="TEACHER_KEY", max_concurrency=3,
                            cache_path=tmp_path / "cache.jsonl", show_progress=False)
        traces, summary = run_teacher(items, "openai", client, {"temperature": 0.0, "max_tokens": 64})
    assert summary["traces"] == 6 and summary["failed"] == 0
    assert sorted(srv.faults_served) == ["429", "500", "malformed", "truncated"]
    for it, tr in zip(items, traces):
        assert tr["completion"] == _answer({"messages": it["teacher_messages"]}).strip()
        assert tr["teacher"] == {"backend": "openai", "model": "gpt-teacher",
                                 "params": {"temperature": 0.0, "max_tokens": 64}}
    assert summary["usage"]["total_tokens"] == sum(t["usage"]["total_tokens"] for t in traces) > 0
    assert all(b["max_tokens"] == 64 for b in srv.chat_requests)
    for path in tmp_path.iterdir():
        assert SECRET not in path.read_text()


def test_teacher_rerun_after_failures_sends_only_what_is_missing(tmp_path):
    items = load_items("ecare", limit=8)
    doomed = {it["teacher_messages"][-1]["content"] for it in items[::3]}

    def flaky(body):
        if body["messages"][-1]["content"] in doomed:
            raise ChatServer.Reject(400, "context length exceeded")
        return _answer(body)

    cache = tmp_path / "cache.jsonl"
    with ChatServer(responder=flaky) as srv:
        client = ChatClient(srv.base_url, "t", api_key_env=None, cache_path=cache, show_progress=False)
        first, s1 = run_teacher(items, "openai", client)
    assert s1["failed"] == len(doomed) == 3 and s1["traces"] == 5
    with ChatServer(responder=_answer) as srv:
        client = ChatClient(srv.base_url, "t", api_key_env=None, cache_path=cache, show_progress=False)
        second, s2 = run_teacher(items, "openai", client)
        assert len(srv.chat_requests) == 3  # only the three that had failed
    assert s2["traces"] == 8 and s2["cached"] == 5
    assert [t["id"] for t in second] == [it["id"] for it in items]
    keys = [json.loads(line)["key"] for line in cache.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == 8


def test_cli_teacher_against_a_served_model(tmp_path, monkeypatch):
    monkeypatch.setenv("TEACHER_KEY", SECRET)
    out = tmp_path / "traces.jsonl"
    with ChatServer(responder=_answer, faults=["503"], api_key=SECRET) as srv:
        proc = subprocess.run(
            [sys.executable, "-m", "cec_eval.cli", "distill", "teacher", "--source", "climate_fever", "--limit", "3",
             "--offset", "400", "--backend", "openai", "--base-url", srv.base_url, "--model", "m",
             "--api-key-env", "TEACHER_KEY", "-o", str(out)],
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    traces = read_jsonl(out)
    assert len(traces) == 3 and all(t["completion"].startswith("Because Claim: ") for t in traces)
    assert (tmp_path / "traces.jsonl.cache.jsonl").is_file()
    for path in tmp_path.iterdir():
        assert SECRET not in path.read_text()
    assert SECRET not in proc.stdout + proc.stderr


def test_gold_filter_drops_wrong_answers_and_keeps_explanations():
    rows = [
        {"kind": "number", "gold": "1200", "completion": "<think>x</think>\nThe answer is $1,200.00."},
        {"kind": "number", "gold": "1200", "completion": "<think>x</think>\nThe answer is 1100."},
        {"kind": "letter", "gold": "B", "completion": "<think>x</think>\nThe answer is (B)."},
        {"kind": "letter", "gold": "B", "completion": "<think>x</think>\nThe answer is (A)."},
        {"kind": "letter", "gold": "B", "completion": "no answer at all"},
        {"kind": "explanation", "gold": "SUPPORTS", "completion": "Warming melts ice."},
    ]
    assert [agrees_with_gold(r) for r in rows] == [True, False, True, False, False, True]
    kept, summary = gold_filter(rows)
    assert summary["kept"] == 3 and summary["dropped"] == 3


def test_gpqa_is_held_in_memory_and_never_written(tmp_path):
    items = load_items("gpqa", limit=2)
    # booleans only: a failing assert must never print GPQA text
    shape_ok = len(items) == 2 and all(it["kind"] == "letter" for it in items)
    assert shape_ok
    traces, _ = run_teacher(items, "dataset")
    target = tmp_path / "gpqa.jsonl"
    with pytest.raises(InputError, match="only be held in memory"):
        write_jsonl(traces, target)
    assert not target.exists() and not list(tmp_path.iterdir())
    with ChatServer() as srv:  # a cached API run would store the questions too
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=tmp_path / "c.jsonl")
        with pytest.raises(InputError, match="only be held in memory"):
            run_teacher(items, "openai", client)
        assert srv.chat_requests == []


def test_bad_user_items_name_the_row(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text('{"question": "Why?", "options": ["a", "b"], "answer": "B"}\n{"question": "", "answer": 1}\n')
    with pytest.raises(InputError, match="row 1 needs a non-empty 'prompt' or 'question'"):
        load_items("jsonl", path=str(path))
    path.write_text('{"question": "Why?", "options": ["a", "b"], "answer": "C"}\n')
    with pytest.raises(InputError, match="row 0: 'answer' must name one of the options"):
        load_items("jsonl", path=str(path))


@pytest.mark.slow
def test_local_transformers_teacher_generates_and_caches(smollm2_dir, tmp_path):
    cache = tmp_path / "hf.cache.jsonl"
    model = LocalChatModel(smollm2_dir, batch_size=2, cache_path=cache, show_progress=False)
    # 8 tokens cannot hold an explanation: the one reply rule makes these cut rows, not answers
    cut = model.complete_many([{"messages": [{"role": "user", "content": q}], "max_tokens": 8}
                               for q in ("Why does ice melt in the sun?", "What causes rain?")])
    assert all(r.truncated and r.text is None and r.partial and r.finish_reasons == ["length"] for r in cut)
    assert not cache.exists() or cache.read_text() == ""  # never cached
    reqs = [{"messages": [{"role": "user", "content": q}], "max_tokens": 64} for q in ("Say hello.", "Say hi.")]
    first = model.complete_many(reqs)
    assert all(r.ok and r.text and not r.cached and r.finish_reasons == ["stop"] for r in first)
    assert all(r.usage["completion_tokens"] < 64 for r in first)
    again = LocalChatModel(smollm2_dir, cache_path=cache).complete_many(reqs)
    assert [r.text for r in again] == [r.text for r in first] and all(r.cached for r in again)
    assert len(cache.read_text().splitlines()) == 2
