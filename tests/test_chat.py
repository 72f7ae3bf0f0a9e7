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

from cec_eval.chat import ACCEPTED_FINISH_REASONS, ChatClient, JsonlCache, reply_problem, request_key
from cec_eval.errors import InputError
from chat_server import ChatServer, Fault, Reply

SECRET = "sk-test-5ecret-do-not-leak"


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv("CEC_TEST_KEY", SECRET)
    return "CEC_TEST_KEY"


def _req(text: str, **params) -> dict:
    return {"messages": [{"role": "user", "content": text}], **params}


@pytest.mark.parametrize("kind", ["429", "429-bare", "500", "503", "timeout", "malformed", "truncated", "disconnect",
                                  "empty", "null", "blank"])
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


# -- the reply rule: what counts as an answer ---------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(choices=st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["", "  \n", "ok", " a b "])),
                                  st.sampled_from([None, "stop", "length", "content_filter", "eos_token", "tool_calls"])),
                        max_size=3))
def test_reply_rule_accepts_exactly_full_texts_with_an_accepted_finish(choices):
    texts = [t for t, _ in choices]
    finish = [f for _, f in choices]
    problem = reply_problem(texts, finish)
    valid = bool(choices) and all(t is not None and t.strip() and f in ACCEPTED_FINISH_REASONS for t, f in choices)
    assert (problem is None) == valid
    if problem is not None:
        kind, reason = problem
        assert "\n" not in reason
        if "length" in finish:
            assert kind == "length"
        elif not choices or any(t is None or not t.strip() for t in texts):
            assert kind == "empty"
        else:
            assert kind == "finish_reason"


def test_null_content_first_is_a_failed_attempt_retried_and_never_cached(tmp_path):
    cache = tmp_path / "c.jsonl"
    with ChatServer(faults=["null"]) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, max_retries=2, show_progress=False)
        r = client.complete([{"role": "user", "content": "why"}])
    assert r.ok and r.text == "echo: why" and r.attempts == 2 and r.finish_reasons == ["stop"]
    assert len(srv.chat_requests) == 2
    lines = [json.loads(x) for x in cache.read_text().splitlines()]
    assert [x["texts"] for x in lines] == [["echo: why"]]


def test_null_content_forever_fails_the_row_uncached_and_the_next_run_asks_again(tmp_path):
    cache = tmp_path / "c.jsonl"

    def null_for_b(body):
        return Reply(None) if body["messages"][0]["content"] == "b" else "fine"

    with ChatServer(responder=null_for_b) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, max_retries=1, show_progress=False)
        res = client.complete_many([_req("a"), _req("b")])
    assert [r.ok for r in res] == [True, False]
    assert res[1].text is None and res[1].failure == "empty" and "content is null" in res[1].error
    assert sum(b["messages"][0]["content"] == "b" for b in srv.chat_requests) == 2  # 1 + max_retries
    assert len(cache.read_text().splitlines()) == 1
    with ChatServer(responder=lambda b: "now " + b["messages"][0]["content"]) as srv:
        again = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False)
        res = again.complete_many([_req("a"), _req("b")])
        assert [b["messages"][0]["content"] for b in srv.chat_requests] == ["b"]
    assert [r.text for r in res] == ["fine", "now b"] and [r.cached for r in res] == [True, False]


def test_a_cached_empty_answer_from_an_older_version_is_asked_again(tmp_path):
    cache = tmp_path / "c.jsonl"
    key = request_key("m", _req("q"))
    cache.write_text(json.dumps({"key": key, "texts": [""], "finish_reason": "stop"}) + "\n"
                     + json.dumps({"key": request_key("m", _req("cut")), "texts": ["half"], "finish_reason": "length"}) + "\n")
    with ChatServer() as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False)
        res = client.complete_many([_req("q"), _req("cut")])
        assert len(srv.chat_requests) == 2
    assert [r.text for r in res] == ["echo: q", "echo: cut"]
    reloaded = ChatClient("http://127.0.0.1:9/v1", "m", api_key_env=None, cache_path=cache, show_progress=False)
    assert [r.cached for r in reloaded.complete_many([_req("q"), _req("cut")])] == [True, True]


def test_length_is_a_failure_kept_apart_with_its_partial_text(tmp_path):
    cache = tmp_path / "c.jsonl"
    answer = "one two three four five six seven eight"
    with ChatServer(responder=lambda b: answer) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False)
        r = client.complete([{"role": "user", "content": "x"}], max_tokens=3)
    assert not r.ok and r.truncated and r.text is None
    assert r.partial == "one two three" and r.finish_reasons == ["length"]
    assert "finish_reason 'length'" in r.error and "{'max_tokens': 3}" in r.error
    assert len(srv.chat_requests) == 1  # the same budget would give the same cut: not retried
    assert not cache.exists() or cache.read_text() == ""


def test_length_retries_grow_the_budget_and_record_it(tmp_path):
    cache = tmp_path / "c.jsonl"
    answer = "one two three four five six seven eight"
    with ChatServer(responder=lambda b: answer) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, cache_path=cache, show_progress=False,
                            length_retries=2, length_growth=2.0)
        ok = client.complete([{"role": "user", "content": "x"}], max_tokens=3)
        assert [b["max_tokens"] for b in srv.chat_requests] == [3, 6, 12]
        capped = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False, length_retries=3,
                            max_tokens_limit=5).complete([{"role": "user", "content": "y"}], max_tokens=3)
        assert [b["max_tokens"] for b in srv.chat_requests[3:]] == [3, 5]  # cannot grow past the limit
    assert ok.ok and ok.text == answer and ok.attempts == 3
    rec = json.loads(cache.read_text())
    assert rec["budget"] == {"max_tokens": 12} and rec["request"]["max_tokens"] == 3  # keyed by what was asked
    assert capped.truncated and capped.partial == "one two three four five"


def test_other_finish_reasons_fail_without_a_retry():
    with ChatServer(responder=lambda b: Reply("I cannot", "content_filter")) as srv:
        client = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False)
        r = client.complete([{"role": "user", "content": "x"}])
    assert r.failure == "finish_reason" and "'content_filter'" in r.error and r.text is None
    assert len(srv.chat_requests) == 1
    with ChatServer(responder=lambda b: Reply("fine", None)) as srv:  # a server that omits it
        r = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False).complete([{"role": "user", "content": "x"}])
        assert r.failure == "finish_reason"
        r = ChatClient(srv.base_url, "m", api_key_env=None, show_progress=False,
                       accept_finish_reasons=("stop", None)).complete([{"role": "user", "content": "x"}])
        assert r.ok and r.text == "fine"


def test_one_bad_choice_of_n_fails_the_request():
    with ChatServer(responder=lambda b: [Reply("a"), Reply(None), Reply("c")]) as srv:
        r = ChatClient(srv.base_url, "m", api_key_env=None, max_retries=1, show_progress=False).complete(
            [{"role": "user", "content": "x"}], n=3)
    assert r.failure == "empty" and "choice 1: content is null" in r.error
    assert len(srv.chat_requests) == 2


def test_a_server_echoing_the_key_never_gets_it_into_results_or_logs(key_env, caplog):
    import logging

    with caplog.at_level(logging.DEBUG):
        with ChatServer(api_key="other", echo_auth=True) as srv:
            r = ChatClient(srv.base_url, "m", api_key_env=key_env, show_progress=False).complete(
                [{"role": "user", "content": "x"}])
        with ChatServer(responder=lambda b: f"your key is {SECRET}") as srv:
            echoed = ChatClient(srv.base_url, "m", api_key_env=key_env, show_progress=False).complete(
                [{"role": "user", "content": "x"}])
    assert r.failure == "http" and "HTTP 401" in r.error and "***" in r.error and SECRET not in r.error
    assert echoed.text == "your key is ***"
    assert SECRET not in caplog.text


def test_server_is_bounded_in_requests():
    srv = ChatServer(max_requests=2).start()
    try:
        client = ChatClient(srv.base_url, "m", api_key_env=None, max_retries=0, show_progress=False)
        res = client.complete_many([_req(str(i)) for i in range(4)])
        assert sum(r.ok for r in res) == 2 and all("HTTP 503" in r.error for r in res if not r.ok)
    finally:
        srv.stop()


def test_server_stops_by_itself():
    # two tests in one before, with a 0.5 s lifetime that a loaded CI machine could spend before the
    # first request arrived (all four then failed); the lifetime is now waited for, not raced
    srv = ChatServer(lifetime=0.2).start()
    try:
        deadline = time.monotonic() + 30
        while srv._httpd is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert srv._httpd is None  # stopped itself
        late = ChatClient(srv.base_url, "m", api_key_env=None, max_retries=0, timeout=1, show_progress=False)
        assert late.complete([{"role": "user", "content": "x"}]).failure == "http"  # connection refused
    finally:
        srv.stop()
