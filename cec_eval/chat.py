"""The project's one client for OpenAI-compatible chat endpoints (OpenAI, vLLM, llama.cpp server, ...).

API::

    from cec_eval.chat import ChatClient

    client = ChatClient(base_url="http://127.0.0.1:8000/v1", model="Qwen2.5-7B-Instruct",
                        api_key_env="OPENAI_API_KEY",   # the *name* of the variable holding the key
                        max_concurrency=8, max_retries=5, timeout=60.0,
                        cache_path="runs/teacher.cache.jsonl")
    results = client.complete_many(
        [{"messages": [{"role": "user", "content": "Why ...?"}], "temperature": 0.7, "_sample": 0}, ...],
        desc="teacher")
    for r in results:
        r.text, r.usage, r.cached, r.finish_reasons   # an answer
        r.error, r.failure, r.partial                  # a failed row: text is None; nothing is raised

A *request* is ``{"messages": [...], **params}``. Params are sent in the request body as given
(``temperature``, ``max_tokens``, ``n``, ``seed``, server-specific ones such as vLLM's ``top_k``).
Keys starting with ``_`` are local: they are never sent, but they are part of the cache key, so
``_sample: i`` asks for the i-th independent sample of the same prompt (self-consistency).

What counts as an answer (:func:`reply_problem`, the one rule, applied to every reply and to
every cached record):
* every choice has non-empty ``content`` (``content: null``, ``""`` or only whitespace is a failed
  attempt, retried within the run; never cached, so the next run asks again);
* every choice ended with an accepted ``finish_reason`` (:data:`ACCEPTED_FINISH_REASONS`; a
  missing one is not accepted). ``"length"`` means the answer was cut at ``max_tokens``: with
  ``length_retries`` > 0 the request is sent again with ``length_growth`` times the budget,
  otherwise (or when that is spent) the row fails with ``failure="length"`` and its cut text in
  ``ChatResult.partial`` (never in ``text``), so callers can keep it apart and count it. Other
  finish reasons (``content_filter``, ...) fail the row without a retry in the run.
A row that fails carries ``error`` (one line) and ``failure`` (its kind); ``text`` is None.

Design choices:
* **Retries.** HTTP-level faults (429 honouring ``Retry-After``, 408/409/5xx, timeouts, dropped
  connections) are retried by the ``openai`` SDK itself with exponential backoff and jitter,
  ``max_retries`` times. A 200 whose body is not valid JSON, has no choices, or whose content is
  null/empty is not something the SDK retries, so this module retries it with the same backoff
  schedule. A request that still fails becomes a :class:`ChatResult` with ``error`` set, so one
  bad row never loses a batch.
* **Resumable cache.** Each *valid* answer is appended (one JSON line, flushed and fsynced)
  to ``cache_path`` under ``sha256(model, messages, params)``. A rerun after an interruption
  answers those from the cache and only sends what is missing: no record is repeated or lost.
  Failures are not cached, so they are retried on the next run; a cached record that fails the
  rule (written by an older version) is ignored and asked again. A torn last line (killed
  mid-write) is skipped on load and the file is re-terminated before appending.
* **Secrets.** The key is read from the environment variable named by ``api_key_env`` at
  construction and handed to the SDK only; it is not stored in results, cache lines or error
  messages (errors and answer texts are scrubbed of it, in case a server echoes it).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .errors import InputError

log = logging.getLogger(__name__)

#: no key needed (local vLLM / llama.cpp servers); the SDK insists on a non-empty string
NO_KEY = "EMPTY"
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")
INITIAL_RETRY_DELAY = 0.5  # same schedule as the SDK's own backoff
MAX_RETRY_DELAY = 8.0
#: finish reasons meaning the model ended its answer itself: OpenAI/vLLM/llama.cpp/Ollama "stop";
#: TGI "eos_token"/"stop_sequence"; Anthropic-style "end_turn"
ACCEPTED_FINISH_REASONS = ("stop", "eos", "eos_token", "stop_sequence", "end_turn")
#: request params that hold the answer budget (grown on a "length" retry)
BUDGET_PARAMS = ("max_tokens", "max_completion_tokens")


def reply_problem(texts: Sequence[str | None], finish_reasons: Sequence[str | None],
                  accepted: Iterable[str] = ACCEPTED_FINISH_REASONS) -> tuple[str, str] | None:
    """The one rule for what counts as a model's answer. None when every choice has non-empty
    text and an accepted finish reason; else ``(kind, reason)``, ``kind`` one of ``"empty"``
    (no choices, or a choice whose content is null/blank), ``"length"`` (cut at the token
    budget) or ``"finish_reason"`` (any other finish reason, or none)."""
    accepted = tuple(accepted)
    if not texts:
        return "empty", "the reply has no choices"
    if len(finish_reasons) != len(texts):
        finish_reasons = list(finish_reasons) + [None] * (len(texts) - len(finish_reasons))
    pairs = list(enumerate(zip(texts, finish_reasons)))
    # one verdict per reply whatever the order of its choices: a cut first (a larger budget may
    # fix it), then a missing text (worth asking again), then any other finish reason
    for i, (_, finish) in pairs:
        if finish == "length":
            return "length", f"choice {i}: finish_reason 'length' (the answer was cut at the token budget)"
    for i, (text, finish) in pairs:
        if text is None or not str(text).strip():
            what = "null" if text is None else "empty"
            return "empty", f"choice {i}: content is {what} (finish_reason {finish!r})"
    for i, (_, finish) in pairs:
        if finish not in accepted:
            return "finish_reason", f"choice {i}: finish_reason {finish!r} is not one of {list(accepted)}"
    return None


@dataclass
class ChatResult:
    """The outcome of one request."""

    key: str
    text: str | None = None
    texts: list[str] = field(default_factory=list)  # every choice (``n`` > 1)
    usage: dict[str, int] | None = None
    finish_reason: str | None = None
    model: str | None = None
    cached: bool = False
    error: str | None = None
    #: response bodies this client had to read (0 for a cache hit); the SDK's own HTTP-level
    #: retries (429/5xx/timeouts) happen inside one attempt and are not counted here
    attempts: int = 0
    #: one per choice of the reply that decided the row (also set on a failed row when a reply came)
    finish_reasons: list[str | None] = field(default_factory=list)
    #: why the row failed: "http" (no usable HTTP response), "malformed" (unparseable body),
    #: "empty", "length" or "finish_reason" (see :func:`reply_problem`); None when ok
    failure: str | None = None
    #: the cut text of a reply that ended on "length" (kept apart; never in ``text``)
    partial: str | None = None
    #: the token budget the answer came on when ``length_retries`` had to grow it (else None)
    budget: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def truncated(self) -> bool:
        """The row failed because its answer was cut at the token budget."""
        return self.failure == "length"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def request_key(model: str, request: Mapping[str, Any]) -> str:
    """sha256 over (model, messages, params): the cache key. Canonical JSON (sorted keys) so the
    order in which params were written does not matter."""
    payload = {"model": model, "messages": request["messages"],
               "params": {k: v for k, v in request.items() if k != "messages"}}
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def validate_request(request: Any, row: int) -> dict[str, Any]:
    """A request dict, or :class:`InputError` naming the row and field."""
    if not isinstance(request, Mapping):
        raise InputError(f"request {row}: expected a dict with 'messages', got {type(request).__name__}")
    messages = request.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InputError(f"request {row}: field 'messages' must be a non-empty list")
    for j, m in enumerate(messages):
        if not isinstance(m, Mapping) or "role" not in m or "content" not in m:
            raise InputError(f"request {row}: messages[{j}] needs 'role' and 'content'")
    if request.get("stream"):
        raise InputError(f"request {row}: 'stream' is not supported (whole answers are cached)")
    for k in ("model", "timeout", "extra_body"):
        if k in request:
            raise InputError(f"request {row}: field {k!r} is set on the ChatClient, not per request")
    try:
        json.dumps(dict(request))
    except TypeError as e:
        raise InputError(f"request {row}: not JSON-serialisable ({e})") from None
    return dict(request)


class TooFewAnswers(RuntimeError):
    """A run whose share of answered requests fell below what the user asked for (the CLI exits
    with status 1 and this one line; the files of what did succeed are written first)."""


def check_success(answered: int, total: int, min_success: float = 0.0, what: str = "requests") -> None:
    """:class:`TooFewAnswers` when ``total`` > 0 and nothing was answered, or the answered
    share is below ``min_success`` (a fraction in [0, 1])."""
    if not 0.0 <= min_success <= 1.0:
        raise InputError(f"min_success must be a fraction in [0, 1], got {min_success}")
    if total <= 0:
        return
    share = answered / total
    if answered == 0 or share < min_success:
        need = f"at least {min_success:.0%} needed" if min_success > 0 else "none answered"
        raise TooFewAnswers(f"{answered} of {total} {what} answered ({share:.0%}; {need})")


class JsonlCache:
    """Append-only JSONL store: ``{"key": ..., ...record}`` per line; last write of a key wins on
    load (duplicates cannot arise from this class, but a hand-merged file may hold them)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.records: dict[str, dict] = {}
        self.skipped_lines = 0
        if self.path.is_file():
            self._load()

    def _load(self) -> None:
        # bytes, not text: a line torn inside a multi-byte character must not fail the whole file
        with open(self.path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.decode("utf-8"))
                    self.records[rec["key"]] = rec
                except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
                    # a line torn by a kill mid-write; its request is simply sent again
                    self.skipped_lines += 1
                    log.warning("%s:%d: unreadable cache line skipped", self.path, lineno)

    def __contains__(self, key: str) -> bool:
        return key in self.records

    def __len__(self) -> int:
        return len(self.records)

    def get(self, key: str) -> dict | None:
        return self.records.get(key)

    def append(self, record: dict) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as fh:
                fh.seek(0, os.SEEK_END)
                if fh.tell():
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":  # re-terminate a torn last line before appending
                        fh.write(b"\n")
                fh.write(line.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            self.records[record["key"]] = record


class _BadResponse(Exception):
    """A 200 whose body is unusable (not JSON, no choices, null/empty content): retried here,
    not by the SDK."""


class _ReplyFailed(Exception):
    """A request that ended without an answer; carries what :class:`ChatResult` reports."""

    def __init__(self, failure: str, message: str, attempts: int, finish_reasons: list | None = None,
                 partial: str | None = None) -> None:
        super().__init__(message)
        self.failure = failure
        self.attempts = attempts
        self.finish_reasons = list(finish_reasons or [])
        self.partial = partial


class ChatClient:
    """Concurrent, retrying, caching chat-completions client (see the module docstring)."""

    def __init__(
        self,
        base_url: str | None,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        max_concurrency: int = 8,
        max_retries: int = 5,
        timeout: float = 60.0,
        cache_path: str | os.PathLike | None = None,
        show_progress: bool | None = None,
        accept_finish_reasons: Iterable[str] = ACCEPTED_FINISH_REASONS,
        length_retries: int = 0,
        length_growth: float = 2.0,
        max_tokens_limit: int | None = None,
    ) -> None:
        """``base_url``: e.g. ``http://127.0.0.1:8000/v1`` (None: api.openai.com).
        ``api_key_env``: name of the environment variable holding the key; None for servers
        without authentication. ``accept_finish_reasons``: what :func:`reply_problem` accepts.
        ``length_retries``: how many times a reply cut at the budget is asked again with
        ``length_growth`` times the request's ``max_tokens`` (at most ``max_tokens_limit``)."""
        if not model:
            raise InputError("ChatClient: 'model' is required")
        if max_concurrency < 1:
            raise InputError(f"ChatClient: max_concurrency must be >= 1, got {max_concurrency}")
        if max_retries < 0:
            raise InputError(f"ChatClient: max_retries must be >= 0, got {max_retries}")
        if length_retries < 0:
            raise InputError(f"ChatClient: length_retries must be >= 0, got {length_retries}")
        if length_retries and not length_growth > 1:
            raise InputError(f"ChatClient: length_growth must be > 1, got {length_growth}")
        if api_key_env is None:
            key = NO_KEY
        else:
            key = os.environ.get(api_key_env, "")
            if not key:
                raise InputError(
                    f"ChatClient: environment variable {api_key_env} is not set "
                    "(export it, or pass api_key_env=None for a server without authentication)"
                )
        import openai  # lazy: importing openai costs ~0.5 s

        self._secret = key if key != NO_KEY else None
        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=max_retries, timeout=timeout)
        self.base_url = str(self._client.base_url)
        self.model = model
        self.api_key_env = api_key_env
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.timeout = timeout
        self.cache = JsonlCache(cache_path) if cache_path is not None else None
        self.show_progress = show_progress
        self.accept_finish_reasons = tuple(accept_finish_reasons)
        self.length_retries = length_retries
        self.length_growth = length_growth
        self.max_tokens_limit = max_tokens_limit
        self._usage_lock = threading.Lock()
        #: token usage of the requests actually sent by this client (cache hits cost nothing)
        self.usage = {k: 0 for k in USAGE_FIELDS}
        self.requests_sent = 0

    def __repr__(self) -> str:  # never the key
        return f"ChatClient(base_url={self.base_url!r}, model={self.model!r}, api_key_env={self.api_key_env!r})"

    # -- one request -----------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _problem(self, rec: Mapping[str, Any]) -> tuple[str, str] | None:
        """:func:`reply_problem` of a record (fresh or cached; records written before finish
        reasons were kept per choice have one ``finish_reason``)."""
        texts = rec.get("texts")
        if not isinstance(texts, list):
            return "empty", "the record has no texts"
        finish = rec.get("finish_reasons")
        if not isinstance(finish, list):
            finish = [rec.get("finish_reason")] * len(texts)
        return reply_problem(texts, finish, self.accept_finish_reasons)

    def _grown_budget(self, body: dict) -> dict | None:
        """``body`` with ``length_growth`` times its token budget, or None when it cannot grow."""
        for name in BUDGET_PARAMS:
            if isinstance(body.get(name), int) and body[name] > 0:
                grown = max(body[name] + 1, int(body[name] * self.length_growth))
                if self.max_tokens_limit is not None:
                    grown = min(grown, self.max_tokens_limit)
                return {**body, name: grown} if grown > body[name] else None
        return None

    def _send(self, request: dict) -> dict:
        """One request with retries; returns the record to cache/return. Raises
        :class:`_ReplyFailed` (or the SDK's error) when no valid answer came."""
        messages = request["messages"]
        body = {k: v for k, v in request.items() if k != "messages" and not k.startswith("_")}
        last: Exception | None = None
        attempts = 0
        bad_replies = 0  # malformed bodies and null/empty contents, retried with backoff
        length_left = self.length_retries
        while True:
            if bad_replies:
                delay = min(INITIAL_RETRY_DELAY * 2 ** (bad_replies - 1), MAX_RETRY_DELAY) * (1 - 0.25 * random.random())
                time.sleep(delay)
            attempts += 1
            with self._usage_lock:
                self.requests_sent += 1
            try:
                # extra_body passes params through untouched, so server-specific ones work too
                resp = self._client.chat.completions.create(model=self.model, messages=messages, extra_body=body)
                choices = getattr(resp, "choices", None)
                if not choices:
                    raise _BadResponse("response has no choices")
                texts = [c.message.content if c.message is not None else None for c in choices]
                texts = [self._scrub(t) if isinstance(t, str) else None for t in texts]
            except (ValueError, TypeError, AttributeError, _BadResponse, self._openai.APIResponseValidationError) as e:
                # json.JSONDecodeError is a ValueError: a malformed 200 body
                last = e
                bad_replies += 1
                log.info("malformed response (attempt %d): %s", attempts, self._scrub(str(e)))
                if bad_replies > self.max_retries:
                    raise _ReplyFailed("malformed", f"gave up after {attempts} malformed responses: "
                                       f"{self._scrub(str(last))[:300]}", attempts) from None
                continue
            finish = [getattr(c, "finish_reason", None) for c in choices]
            usage = None
            if getattr(resp, "usage", None) is not None:
                usage = {k: int(getattr(resp.usage, k, 0) or 0) for k in USAGE_FIELDS}
                with self._usage_lock:  # every answer read costs tokens, valid or not
                    for k in USAGE_FIELDS:
                        self.usage[k] += usage[k]
            problem = reply_problem(texts, finish, self.accept_finish_reasons)
            if problem is None:
                rec = {"texts": texts, "usage": usage, "finish_reason": finish[0], "finish_reasons": finish,
                       "model": getattr(resp, "model", None), "attempts": attempts}
                if length_left < self.length_retries:  # answered on a grown budget: say which
                    rec["budget"] = {k: body[k] for k in BUDGET_PARAMS if k in body}
                return rec
            kind, reason = problem
            if kind == "length":
                grown = self._grown_budget(body) if length_left > 0 else None
                if grown is not None:
                    length_left -= 1
                    log.info("reply cut at the budget (attempt %d); asking again with %s", attempts,
                             {k: grown[k] for k in BUDGET_PARAMS if k in grown})
                    body = grown
                    continue
                partial = next((t for t in texts if t), None)
                budget = {k: body[k] for k in BUDGET_PARAMS if k in body}
                raise _ReplyFailed("length", f"{reason}; budget {budget or 'server default'}"
                                   f"{', after ' + str(self.length_retries) + ' larger budgets' if self.length_retries else ''}",
                                   attempts, finish, partial)
            if kind == "empty":
                last = _BadResponse(reason)
                bad_replies += 1
                log.info("no answer in the reply (attempt %d): %s", attempts, reason)
                if bad_replies > self.max_retries:
                    raise _ReplyFailed("empty", f"gave up after {attempts} replies without an answer: {reason}",
                                       attempts, finish)
                continue
            raise _ReplyFailed(kind, reason, attempts, finish)

    def _error_text(self, e: Exception) -> str:
        status = getattr(e, "status_code", None)
        name = type(e).__name__
        msg = f"{name}{f' (HTTP {status})' if status else ''}: {e}"
        return self._scrub(msg)[:500]

    # -- many requests ---------------------------------------------------------------------
    def complete_many(self, requests: Sequence[Mapping[str, Any]], desc: str = "chat",
                      show_progress: bool | None = None) -> list[ChatResult]:
        """Answers for ``requests`` in the same order. Identical requests are sent once."""
        reqs = [validate_request(r, i) for i, r in enumerate(requests)]
        keys = [request_key(self.model, r) for r in reqs]
        results: dict[str, ChatResult] = {}
        pending: dict[str, dict] = {}
        stale = 0
        for key, req in zip(keys, reqs):
            rec = self.cache.get(key) if self.cache is not None else None
            if rec is not None and self._problem(rec) is not None:
                stale += 1  # cached by an older version though it is no answer: ask again
                rec = None
            if rec is not None:
                results[key] = self._result(key, rec, cached=True)
            elif key not in results:
                pending.setdefault(key, req)
        if stale:
            log.warning("%d cached replies are not answers (null/empty content or a bad finish reason); asking again",
                        stale)
        show = self.show_progress if show_progress is None else show_progress
        if show is None:
            show = len(pending) > 1
        from tqdm.auto import tqdm

        bar = tqdm(total=len(pending), desc=desc, disable=not show, unit="req")
        failures = 0
        try:
            with ThreadPoolExecutor(max_workers=min(self.max_concurrency, max(1, len(pending)))) as pool:
                futures = {pool.submit(self._send, req): key for key, req in pending.items()}
                for fut in as_completed(futures):
                    key = futures[fut]
                    try:
                        rec = fut.result()
                    except _ReplyFailed as e:  # reported per row, never raised: the rest completes
                        failures += 1
                        results[key] = ChatResult(key=key, error=self._scrub(str(e))[:500], attempts=e.attempts,
                                                  failure=e.failure, finish_reasons=e.finish_reasons,
                                                  finish_reason=(e.finish_reasons or [None])[0], partial=e.partial)
                    except Exception as e:  # HTTP errors after the SDK's retries, connection refused, ...
                        failures += 1
                        results[key] = ChatResult(key=key, error=self._error_text(e), attempts=1, failure="http")
                    else:
                        rec = {"key": key, "model_requested": self.model, "request": pending[key], **rec,
                               "created": time.time()}
                        if self.cache is not None:
                            self.cache.append(rec)
                        results[key] = self._result(key, rec, cached=False)
                    bar.update(1)
                    if failures:
                        bar.set_postfix(failed=failures)
        finally:
            bar.close()
        if failures:
            log.warning("%d of %d requests failed (see ChatResult.error)", failures, len(pending))
        return [results[k] for k in keys]

    def complete(self, messages: list[dict], **params: Any) -> ChatResult:
        """One request (same cache and retries)."""
        return self.complete_many([{"messages": messages, **params}], show_progress=False)[0]

    @staticmethod
    def _result(key: str, rec: Mapping[str, Any], cached: bool) -> ChatResult:
        texts = list(rec.get("texts") or [])
        finish = rec.get("finish_reasons")
        if not isinstance(finish, list):
            finish = [rec.get("finish_reason")] * len(texts)
        return ChatResult(key=key, text=texts[0] if texts else "", texts=texts, usage=rec.get("usage"),
                          finish_reason=rec.get("finish_reason"), model=rec.get("model"), cached=cached,
                          attempts=0 if cached else int(rec.get("attempts", 1)), finish_reasons=finish,
                          budget=rec.get("budget"))

    def list_models(self) -> list[str]:
        """Model ids served at ``base_url`` (a cheap connectivity check)."""
        return [m.id for m in self._client.models.list().data]

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
