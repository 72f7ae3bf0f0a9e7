"""cec_eval.chat against a real HTTP server on 127.0.0.1 speaking the chat-completions protocol."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval.chat import ChatClient, JsonlCache, request_key
from cec_eval.errors import InputError
from chat_server import ChatServer, Fault

SECRET = "sk-test-5ecret-do-not-leak"


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("CEC_TEST_KEY", SECRET)
    return "CEC_TEST_KEY"


def _req(text: str, **params) -> dict:
    return {"messages": [{"role": "user", "content": text}], **params}


@pytest.mark.parametrize("kind", ["429", "500", "503", "timeout", "malformed", "truncated", "disconnect", "empty"])
def test_each_fault_is_retried_and_recovers(kind, key_env):
    with ChatServer(faults=[Fault(kind, delay=1.0)], api_key=SECRET) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=key_env, timeout=0.4, max_retries=3, show_progress=False)
        r = client.complete([{"role": "user", "content": "why"}], temperature=0.0)
    assert r.error is None
    assert r.text == "echo: why"
    assert r.usage == {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    assert srv.faults_served == [kind]
    assert len(srv.chat_requests) == 2  # the faulty one and exactly one retry
    assert srv.chat_requests[-1] == {"model": "m", "messages": [{"role": "user", "content": "why"}], "temperature": 0.0}
    assert srv.requests[-1]["headers"]["authorization"] == f"Bearer {SECRET}"


def test_429_honours_retry_after():
    with ChatServer(faults=[Fault("429", retry_after=0.6)]) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False)
        t0 = time.perf_counter()
        assert client.complete([{"role": "user", "content": "x"}]).ok
        waited = time.perf_counter() - t0
    assert waited >= 0.55  # the server asked for 0.6 s; the SDK's own backoff would be <= 0.5 s


def test_persistent_failure_is_reported_per_row_and_the_rest_completes(key_env):
    def fault_fn(i, body):
        return "500" if body["messages"][0]["content"] == "bad" else None

    with ChatServer(fault_fn=fault_fn) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=key_env, max_retries=1, show_progress=False)
        res = client.complete_many([_req("a"), _req("bad"), _req("c")])
    assert [r.text for r in res] == ["echo: a", None, "echo: c"]
    assert res[1].error.startswith("InternalServerError (HTTP 500)")
    assert sum(b["messages"][0]["content"] == "bad" for b in srv.chat_requests) == 2  # 1 + max_retries
    assert SECRET not in res[1].error


def test_malformed_forever_gives_up_after_max_retries():
    with ChatServer(faults=["malformed"] * 10) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, max_retries=2, show_progress=False)
        r = client.complete([{"role": "user", "content": "x"}])
    assert r.text is None and "malformed" in r.error
    assert len(srv.chat_requests) == 3


def test_wrong_key_is_an_error_that_does_not_echo_the_key(monkeypatch):
    monkeypatch.setenv("CEC_TEST_KEY", SECRET)
    with ChatServer(api_key="the-right-one") as srv:
        client = ChatClient(srv.base_url, "m", api_key_env="CEC_TEST_KEY", show_progress=False)
        r = client.complete([{"role": "user", "content": "x"}])
    assert "AuthenticationError (HTTP 401)" in r.error
    assert SECRET not in r.error and SECRET not in repr(client)
    assert len(srv.chat_requests) == 1  # 4xx are not retried


def test_missing_key_variable_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("CEC_NOT_SET", raising=False)
    with pytest.raises(InputError, match="CEC_NOT_SET is not set"):
        ChatClient("http://127.0.0.1:9/v1", "m", api_key_env="CEC_NOT_SET")


@pytest.mark.parametrize(
    "bad, match",
    [
        ("text", "request 1: expected a dict"),
        ({"messages": []}, "request 1: field 'messages' must be a non-empty list"),
        ({"messages": [{"content": "x"}]}, r"request 1: messages\[0\] needs 'role'"),
        ({"messages": [{"role": "user", "content": "x"}], "stream": True}, "request 1: 'stream'"),
        ({"messages": [{"role": "user", "content": "x"}], "model": "other"}, "request 1: field 'model'"),
    ],
)
def test_bad_requests_name_the_row(bad, match):
    client = ChatClient("http://127.0.0.1:9/v1", "m", api_key_env=None)
    with pytest.raises(InputError, match=match):
        client.complete_many([_req("fine"), bad])


def test_concurrency_is_bounded_and_used():
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def slow(body):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.1)
        with lock:
            state["now"] -= 1
        return "ok"

    with ChatServer(responder=slow) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, max_concurrency=3, show_progress=False)
        res = client.complete_many([_req(str(i)) for i in range(12)])
    assert all(r.text == "ok" for r in res)
    assert state["max"] == 3


def test_cache_answers_repeats_and_sample_index_makes_distinct_requests(tmp_path):
    cache = tmp_path / "c.jsonl"
    with ChatServer(responder=lambda b: f"{b['messages'][0]['content']}|{b.get('temperature')}") as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False)
        reqs = [_req("q", temperature=0.7, _sample=i) for i in range(3)] + [_req("q", temperature=0.7, _sample=0)]
        first = client.complete_many(reqs)
        assert len(srv.chat_requests) == 3  # the duplicate is sent once
        assert all("_sample" not in b for b in srv.chat_requests)  # local keys never leave
        assert [r.cached for r in first] == [False] * 4
        assert client.usage == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}
        again = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache).complete_many(reqs)
        assert len(srv.chat_requests) == 3
    assert [r.cached for r in again] == [True] * 4
    assert [r.text for r in again] == [r.text for r in first] == ["q|0.7"] * 4
    lines = cache.read_text().splitlines()
    assert len(lines) == 3
    assert SECRET not in cache.read_text()


def test_n_choices_are_all_returned():
    with ChatServer(responder=lambda b: [f"path {i}" for i in range(b["n"])]) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False)
        r = client.complete([{"role": "user", "content": "x"}], n=3)
    assert r.texts == ["path 0", "path 1", "path 2"] and r.text == "path 0"


@settings(max_examples=50, deadline=None)
@given(params=st.dictionaries(st.sampled_from(["temperature", "top_p", "max_tokens", "seed", "_sample"]),
                              st.integers(0, 5), min_size=2))
def test_request_key_ignores_param_order_but_not_values(params):
    msgs = [{"role": "user", "content": "x"}]
    forward = {"messages": msgs, **params}
    backward = {"messages": msgs, **dict(reversed(list(params.items())))}
    assert request_key("m", forward) == request_key("m", backward)
    changed = dict(forward)
    first = next(iter(params))
    changed[first] = params[first] + 1
    assert request_key("m", changed) != request_key("m", forward)
    assert request_key("m2", forward) != request_key("m", forward)


def test_torn_last_line_is_skipped_and_reterminated(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"key": "a", "texts": ["A"]}) + "\n" + '{"key": "b", "tex')
    cache = JsonlCache(path)
    assert set(cache.records) == {"a"} and cache.skipped_lines == 1
    cache.append({"key": "c", "texts": ["C"]})
    reloaded = JsonlCache(path)
    assert set(reloaded.records) == {"a", "c"} and reloaded.skipped_lines == 1


_CHILD = textwrap.dedent(
    """
    import sys
    from cec_eval.chat import ChatClient
    base_url, cache = sys.argv[1], sys.argv[2]
    client = ChatClient(base_url, "m", api_key_env=None, max_concurrency=4, cache_path=cache, show_progress=False)
    client.complete_many([{"messages": [{"role": "user", "content": f"q{i}"}]} for i in range(40)])
    """
)


def test_killed_run_resumes_without_losing_or_repeating_a_record(tmp_path):
    cache = tmp_path / "teacher.cache.jsonl"

    def slow(body):
        time.sleep(0.05)
        return "A:" + body["messages"][0]["content"]

    with ChatServer(responder=slow) as srv:
        child = subprocess.Popen([sys.executable, "-c", _CHILD, srv.base_url, str(cache)])
        deadline = time.time() + 60
        while time.time() < deadline:
            if cache.is_file() and len(cache.read_text().splitlines()) >= 12:
                break
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)  # no clean shutdown: the hard case
        child.wait()
        done_before = len(JsonlCache(cache))
        assert 12 <= done_before < 40, done_before
        sent_before = len(srv.chat_requests)

        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False)
        res = client.complete_many([_req(f"q{i}") for i in range(40)])
        sent_after = len(srv.chat_requests) - sent_before

    assert [r.text for r in res] == [f"A:q{i}" for i in range(40)]
    assert sum(r.cached for r in res) == done_before
    assert sent_after == 40 - done_before  # nothing already stored is asked again
    keys = [json.loads(line)["key"] for line in cache.read_text().splitlines() if line.strip()]
    assert len(keys) == len(set(keys)) == 40  # no duplicate, no loss
