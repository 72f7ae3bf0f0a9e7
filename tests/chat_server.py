"""A local OpenAI-compatible chat server for tests (stdlib only, 127.0.0.1, threaded).

It speaks the real wire protocol that the ``openai`` SDK (and vLLM / llama.cpp clients) use:
``POST /v1/chat/completions`` returns a ``chat.completion`` object with ``choices`` and ``usage``;
``GET /v1/models`` lists the served model. Faults can be injected to exercise retry paths.

Usage::

    from chat_server import ChatServer, Fault

    def responder(body: dict) -> str:               # the parsed request JSON
        return "Because " + body["messages"][-1]["content"]

    with ChatServer(responder=responder, faults=["429", "500", Fault("timeout", delay=2.0)]) as srv:
        client = openai.OpenAI(base_url=srv.base_url, api_key="sk-test")
        ...
        srv.requests            # every request: dicts with method, path, headers (lower-case names), body (parsed JSON)
        srv.completed           # how many 200 chat responses were sent

The responder may return
  * a ``str``: the assistant message of the single choice (``n`` > 1 repeats it);
  * a ``list[str]``: one choice per item;
  * a ``ChatServer.Reply(content, finish_reason)`` (or a list of them): full control of a choice,
    e.g. ``Reply(None)`` for ``content: null``;
  * a ``dict``: sent as the whole JSON response body (to script odd but valid payloads).
It may raise ``ChatServer.Reject(status, message)`` to answer with an HTTP error.

Like a real server, an answer longer than the request's ``max_tokens`` (tokens = whitespace
words here) is cut there and ends with ``finish_reason: "length"``.

Bounded: the server answers at most ``max_requests`` requests (later ones get 503) and stops by
itself after ``lifetime`` seconds, so a test that forgets it (or a child process that hangs on
it) cannot keep it alive. ``echo_auth=True`` makes every error body quote the request's
``Authorization`` header, as some proxies do, to check that a client never stores or prints it.

Faults are consumed one per incoming chat request, in arrival order (a queue); once it is
empty, requests are answered normally. ``fault_fn(index, body) -> Fault | str | None`` can
choose a fault per request instead (``index`` counts chat requests from 0). Kinds:

  ``"429"``        429 with ``Retry-After`` (seconds, ``Fault.retry_after``; default 0.05)
  ``"429-bare"``   429 without ``Retry-After`` (the client's own backoff applies)
  ``"500"``        500 with an OpenAI-style error body
  ``"503"``        503 likewise
  ``"timeout"``    sleeps ``Fault.delay`` seconds (default 3) before answering normally: set the
                   client timeout below it
  ``"malformed"``  200, ``application/json``, a body that is not JSON
  ``"truncated"``  200 whose ``Content-Length`` promises more bytes than are sent, then closes
  ``"disconnect"`` closes the connection without any response
  ``"empty"``      200 with valid JSON but no ``choices``
  ``"null"``       200, one choice with ``content: null`` and ``finish_reason: "stop"``
  ``"blank"``      200, one choice with ``content: ""`` and ``finish_reason: "stop"``
  ``"length"``     200, the normal answer cut to its first half, ``finish_reason: "length"``
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

FAULT_KINDS = ("429", "429-bare", "500", "503", "timeout", "malformed", "truncated", "disconnect", "empty",
               "null", "blank", "length")


@dataclass
class Fault:
    """One injected fault (see the module docstring for the kinds)."""

    kind: str
    retry_after: float = 0.05
    delay: float = 3.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {FAULT_KINDS}")


def _as_fault(f: Fault | str | None) -> Fault | None:
    if f is None or isinstance(f, Fault):
        return f
    return Fault(str(f))


def echo_responder(body: dict) -> str:
    """Default responder: echoes the last message's content."""
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content", "")
    if isinstance(content, list):  # content parts
        content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return f"echo: {content}"


@dataclass
class Reply:
    """One choice as the responder wants it sent."""

    content: str | None
    finish_reason: str | None = "stop"


class ChatServer:
    """Context manager running the server on an ephemeral port of 127.0.0.1."""

    Reply = Reply

    class Reject(Exception):
        """Raise from a responder to answer with an HTTP error status."""

        def __init__(self, status: int = 400, message: str = "bad request") -> None:
            super().__init__(message)
            self.status = status
            self.message = message

    def __init__(
        self,
        responder: Callable[[dict], Any] = echo_responder,
        faults: Iterable[Fault | str] = (),
        fault_fn: Callable[[int, dict], Fault | str | None] | None = None,
        model: str = "test-model",
        api_key: str | None = None,
        max_requests: int = 5000,
        lifetime: float = 120.0,
        echo_auth: bool = False,
    ) -> None:
        """``api_key``: when set, requests without ``Authorization: Bearer <api_key>`` get 401."""
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.echo_auth = echo_auth
        self._timer: threading.Timer | None = None
        self.responder = responder
        self.faults: deque[Fault] = deque(_as_fault(f) for f in faults)
        self.fault_fn = fault_fn
        self.model = model
        self.api_key = api_key
        self.requests: list[dict] = []
        self.completed = 0
        self.faults_served: list[str] = []
        self._lock = threading.Lock()
        self._chat_index = 0
        self._httpd: _QuietServer | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._port is not None, "server not started"
        return self._port

    @property
    def base_url(self) -> str:
        """What ``openai.OpenAI(base_url=...)`` takes (ends in ``/v1``)."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "ChatServer":
        server = self

        class Handler(_Handler):
            srv = server

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="chat-server", daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.lifetime, self.stop)  # stops by itself
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        with self._lock:
            httpd, self._httpd = self._httpd, None
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> "ChatServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- bookkeeping -----------------------------------------------------------------------
    def _next_fault(self, body: dict) -> Fault | None:
        with self._lock:
            index = self._chat_index
            self._chat_index += 1
            if self.fault_fn is not None:
                fault = _as_fault(self.fault_fn(index, body))
            else:
                fault = self.faults.popleft() if self.faults else None
            if fault is not None:
                self.faults_served.append(fault.kind)
            return fault

    @property
    def chat_requests(self) -> list[dict]:
        """The parsed bodies of all chat-completion requests received."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping "timeout" handler must not block shutdown

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that gave up (timeouts) leave broken pipes behind: expected, not news
        pass


class _Handler(BaseHTTPRequestHandler):
    srv: ChatServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr noise
        pass

    # -- helpers ---------------------------------------------------------------------------
    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> None:
        if self.srv.echo_auth:
            message += f" (request had Authorization: {self.headers.get('Authorization')})"
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": None}}, headers)

    def _authorized(self) -> bool:
        key = self.srv.api_key
        if key is None:
            return True
        if self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._error(401, "Incorrect API key provided.", "invalid_request_error")
        return False

    # -- routes ----------------------------------------------------------------------------
    def do_GET(self) -> None:
        with self.srv._lock:
            self.srv.requests.append({"method": "GET", "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": None})
        if not self._authorized():
            return
        if self.path.rstrip("/").endswith("/v1/models"):
            self._send_json(
                200,
                {"object": "list", "data": [{"id": self.srv.model, "object": "model", "created": 0, "owned_by": "test"}]},
            )
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = None
        with self.srv._lock:
            self.srv.requests.append({"method": "POST", "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        if not self._authorized():
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._error(404, f"no route {self.path}", "not_found")
            return
        if len(self.srv.requests) > self.srv.max_requests:
            self._error(503, f"request budget of this test server ({self.srv.max_requests}) spent", "server_error")
            return
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._error(400, "request body must be JSON with a 'messages' list", "invalid_request_error")
            return
        fault = self.srv._next_fault(body)
        if fault is not None and self._serve_fault(fault, body):
            return
        self._complete(body)

    def _serve_fault(self, fault: Fault, body: dict) -> bool:
        """Sends the fault; True when the request is finished (False: answer normally after)."""
        kind = fault.kind
        if kind == "429":
            self._error(429, "Rate limit reached", "rate_limit_error", {"Retry-After": f"{fault.retry_after:g}"})
        elif kind == "429-bare":
            self._error(429, "Rate limit reached", "rate_limit_error")
        elif kind in ("null", "blank"):
            self._complete(body, override=[Reply(None if kind == "null" else "")])
        elif kind == "length":
            self._complete(body, halve=True)
        elif kind in ("500", "503"):
            self._error(int(kind), "The server had an error while processing your request.", "server_error")
        elif kind == "timeout":
            time.sleep(fault.delay)
            return False
        elif kind == "malformed":
            data = b'{"id": "chatcmpl-x", "choices": [ {"message": '  # cut mid-object: not JSON
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif kind == "truncated":
            data = b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": ['
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data) + 500))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif kind == "disconnect":
            self.close_connection = True
            self.connection.shutdown(2)
        elif kind == "empty":
            self._send_json(200, {"id": "chatcmpl-empty", "object": "chat.completion", "created": int(time.time()),
                                  "model": self.srv.model, "choices": []})
        return True

    def _complete(self, body: dict, override: list[Reply] | None = None, halve: bool = False) -> None:
        if override is not None:
            out: Any = override
        else:
            try:
                out = self.srv.responder(body)
            except ChatServer.Reject as r:
                self._error(r.status, r.message, "invalid_request_error")
                return
        if isinstance(out, dict):
            self._send_json(200, out)
            with self.srv._lock:
                self.srv.completed += 1
            return
        n = int(body.get("n") or 1)
        if isinstance(out, (list, tuple)):
            replies = [o if isinstance(o, Reply) else Reply(str(o)) for o in out]
        else:
            replies = [out if isinstance(out, Reply) else Reply(str(out))] * n
        budget = body.get("max_tokens") or body.get("max_completion_tokens")
        cut = []
        for r in replies:
            words = (r.content or "").split()
            if halve and r.content:
                r = Reply(" ".join(words[: max(1, len(words) // 2)]), "length")
            elif isinstance(budget, int) and r.content and len(r.content.split()) > budget:
                r = Reply(" ".join(words[:budget]), "length")  # as a real server cuts at max_tokens
            cut.append(r)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        completion_tokens = sum(len((r.content or "").split()) for r in cut)
        response = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.srv.model,
            "system_fingerprint": "fp_local",
            "choices": [
                {"index": i, "message": {"role": "assistant", "content": r.content}, "logprobs": None,
                 "finish_reason": r.finish_reason}
                for i, r in enumerate(cut)
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        self._send_json(200, response)
        with self.srv._lock:
            self.srv.completed += 1


def fault_server_factory():
    """Starts :class:`ChatServer` instances and stops them all on exit (see :func:`fault_server`)."""
    servers: list[ChatServer] = []

    def make(**kwargs: Any) -> ChatServer:
        srv = ChatServer(**kwargs).start()
        servers.append(srv)
        return srv

    return make, servers


try:  # the pytest fixture; this module also works without pytest
    import pytest

    @pytest.fixture
    def fault_server():
        """A factory of fault-injecting servers: ``fault_server(fault_fn=..., api_key=...)`` returns
        a started :class:`ChatServer` (127.0.0.1, bounded in requests and lifetime); all are
        stopped at the end of the test."""
        make, servers = fault_server_factory()
        yield make
        for srv in servers:
            srv.stop()
except ImportError:  # pragma: no cover
    pass
