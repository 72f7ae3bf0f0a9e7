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
        r.text, r.usage, r.cached, r.error      # a failed row carries ``error``; nothing is raised

A *request* is ``{"messages": [...], **params}``. Params are sent in the request body as given
(``temperature``, ``max_tokens``, ``n``, ``seed``, server-specific ones such as vLLM's ``top_k``).
Keys starting with ``_`` are local: they are never sent, but they are part of the cache key, so
``_sample: i`` asks for the i-th independent sample of the same prompt (self-consistency).

Design choices:
* **Retries.** HTTP-level faults (429 honouring ``Retry-After``, 408/409/5xx, timeouts, dropped
  connections) are retried by the ``openai`` SDK itself with exponential backoff and jitter,
  ``max_retries`` times. A 200 whose body is not valid JSON, or has no choices, is not something
  the SDK retries, so this module retries it with the same backoff schedule. A request that still
  fails becomes a :class:`ChatResult` with ``error`` set, so one bad row never loses a batch.
* **Resumable cache.** Each *successful* answer is appended (one JSON line, flushed and fsynced)
  to ``cache_path`` under ``sha256(model, messages, params)``. A rerun after an interruption
  answers those from the cache and only sends what is missing: no record is repeated or lost.
  Errors are not cached, so they are retried on the next run. A torn last line (killed mid-write)
  is skipped on load and the file is re-terminated before appending.
* **Secrets.** The key is read from the environment variable named by ``api_key_env`` at
  construction and handed to the SDK only; it is not stored in results, cache lines or error
  messages (errors are scrubbed of it just in case).
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

    @property
    def ok(self) -> bool:
        return self.error is None

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
        with open(self.path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    self.records[rec["key"]] = rec
                except (json.JSONDecodeError, KeyError, TypeError):
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
    """A 200 whose body is unusable (not JSON, no choices): retried here, not by the SDK."""


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
    ) -> None:
        """``base_url``: e.g. ``http://127.0.0.1:8000/v1`` (None: api.openai.com).
        ``api_key_env``: name of the environment variable holding the key; None for servers
        without authentication."""
        if not model:
            raise InputError("ChatClient: 'model' is required")
        if max_concurrency < 1:
            raise InputError(f"ChatClient: max_concurrency must be >= 1, got {max_concurrency}")
        if max_retries < 0:
            raise InputError(f"ChatClient: max_retries must be >= 0, got {max_retries}")
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
        self._usage_lock = threading.Lock()
        #: token usage of the requests actually sent by this client (cache hits cost nothing)
        self.usage = {k: 0 for k in USAGE_FIELDS}
        self.requests_sent = 0

    def __repr__(self) -> str:  # never the key
        return f"ChatClient(base_url={self.base_url!r}, model={self.model!r}, api_key_env={self.api_key_env!r})"

    # -- one request -----------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _send(self, request: dict) -> dict:
        """One request with retries; returns the record to cache/return. Raises on final failure."""
        messages = request["messages"]
        body = {k: v for k, v in request.items() if k != "messages" and not k.startswith("_")}
        last: Exception | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = min(INITIAL_RETRY_DELAY * 2 ** (attempt - 1), MAX_RETRY_DELAY) * (1 - 0.25 * random.random())
                time.sleep(delay)
            try:
                with self._usage_lock:
                    self.requests_sent += 1
                # extra_body passes params through untouched, so server-specific ones work too
                resp = self._client.chat.completions.create(model=self.model, messages=messages, extra_body=body)
                if not getattr(resp, "choices", None):
                    raise _BadResponse("response has no choices")
                texts = [(c.message.content or "") if c.message is not None else "" for c in resp.choices]
                usage = None
                if getattr(resp, "usage", None) is not None:
                    usage = {k: int(getattr(resp.usage, k, 0) or 0) for k in USAGE_FIELDS}
                return {"texts": texts, "usage": usage, "finish_reason": resp.choices[0].finish_reason,
                        "model": getattr(resp, "model", None), "attempts": attempt + 1}
            except (ValueError, _BadResponse, self._openai.APIResponseValidationError) as e:
                # json.JSONDecodeError is a ValueError: a malformed 200 body
                last = e
                log.info("malformed response (attempt %d/%d): %s", attempt + 1, self.max_retries + 1, e)
                continue
        raise _BadResponse(f"gave up after {self.max_retries + 1} malformed responses: {last}")

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
        for key, req in zip(keys, reqs):
            rec = self.cache.get(key) if self.cache is not None else None
            if rec is not None:
                results[key] = self._result(key, rec, cached=True)
            elif key not in results:
                pending.setdefault(key, req)
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
                    except Exception as e:  # reported per row, never raised: the rest completes
                        failures += 1
                        results[key] = ChatResult(key=key, error=self._error_text(e), attempts=self.max_retries + 1)
                    else:
                        rec = {"key": key, "model_requested": self.model, "request": pending[key], **rec,
                               "created": time.time()}
                        if self.cache is not None:
                            self.cache.append(rec)
                        if rec.get("usage"):
                            with self._usage_lock:
                                for k in USAGE_FIELDS:
                                    self.usage[k] += rec["usage"].get(k, 0)
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
        return ChatResult(key=key, text=texts[0] if texts else "", texts=texts, usage=rec.get("usage"),
                          finish_reason=rec.get("finish_reason"), model=rec.get("model"), cached=cached,
                          attempts=0 if cached else int(rec.get("attempts", 1)))

    def list_models(self) -> list[str]:
        """Model ids served at ``base_url`` (a cheap connectivity check)."""
        return [m.id for m in self._client.models.list().data]

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
