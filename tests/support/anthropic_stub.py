"""A local stand-in for the Anthropic Messages API (``POST /v1/messages``), for tests without network.

It answers from a queue of scripted responses written in the API's documented format
(https://docs.anthropic.com/en/api/messages, .../api/errors) and records every request (headers and
parsed JSON body). Each script item is ``(status, headers, body)`` or ``(status, headers, body, delay)``;
``always(...)`` sets the answer used once the queue is empty (default: a 500 with ``x-should-retry:
false``, so a test that forgot to script a response fails fast).

Prompt caching is simulated when a body's ``usage`` is :data:`AUTO_USAGE`: the stub takes the request's
cache prefix (tools + system blocks up to the last one with ``cache_control``), reports it as
``cache_creation_input_tokens`` the first time and as ``cache_read_input_tokens`` afterwards, and
estimates the other tokens at about 4 characters per token. ``POST /v1/messages/count_tokens`` (the
free token counter) answers with the same estimate of a request's input (prefix and rest), without
using the script.

Message Batches: ``POST /v1/messages/batches`` takes the requests and answers each one from the script,
in order, when the batch is created; ``GET /v1/messages/batches/{id}`` reports it ``in_progress`` for
``batch_polls_pending`` polls, then ``ended`` with a ``results_url``; ``GET …/{id}/results`` streams
the results as JSON Lines (each ``succeeded`` with its message, or ``errored``).
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

AUTO_USAGE = "auto"
_ids = itertools.count(1)


def usage(input_tokens: int = 100, output_tokens: int = 40, *, cache_creation_input_tokens: int = 0,
          cache_read_input_tokens: int = 0) -> dict[str, int]:
    return {"input_tokens": input_tokens, "output_tokens": output_tokens,
            "cache_creation_input_tokens": cache_creation_input_tokens, "cache_read_input_tokens": cache_read_input_tokens}


def _message(content: list[dict], stop_reason: str, usage_: Any, model: str | None) -> dict:
    return {"id": f"msg_stub{next(_ids):06d}", "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": usage_ if usage_ is not None else usage()}


def message_with_tool_use(name: str, input: dict, *, usage: Any = None, model: str | None = None,
                          text: str | None = None, stop_reason: str = "tool_use") -> dict:
    """A documented ``message`` whose content is (optionally some text, then) one ``tool_use`` block.
    ``model=None`` echoes the request's model."""
    content = [{"type": "text", "text": text}] if text else []
    content.append({"type": "tool_use", "id": f"toolu_stub{next(_ids):06d}", "name": name, "input": input})
    return _message(content, stop_reason, usage, model)


def message_with_text(text: str, *, usage: Any = None, model: str | None = None, stop_reason: str = "end_turn") -> dict:
    return _message([{"type": "text", "text": text}], stop_reason, usage, model)


def error_body(type: str, message: str) -> dict:
    """The documented error shape, e.g. ``error_body("rate_limit_error", "...")``."""
    return {"type": "error", "error": {"type": type, "message": message}}


def ok(body: dict, delay: float = 0.0) -> tuple:
    return (200, {}, body, delay)


class AnthropicStub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._script: deque[tuple] = deque()
        self._default: tuple = (500, {"x-should-retry": "false"},
                                error_body("api_error", "anthropic stub: no scripted response left"), 0.0)
        self._cached: set[str] = set()
        self.requests: list[dict[str, Any]] = []  # {"path", "headers" (lower-case names), "body"}
        self.model_answers: deque[tuple] = deque()  # scripted answers to GET /v1/models/{id}; default: it exists
        self.in_flight = 0
        self.max_in_flight = 0
        self.batches: dict[str, dict[str, Any]] = {}  # id -> {"requests", "results", "polls"}
        self.batch_polls_pending = 0  # polls a batch stays in_progress before it ends
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):  # noqa: A002 - stdlib signature; keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - stdlib name
                stub._handle(self)

            def do_GET(self):  # noqa: N802 - stdlib name; GET /v1/models/{id} (the engine's pre-flight check)
                stub._handle_model(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="anthropic-stub", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AnthropicStub":
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- scripting ---------------------------------------------------------------------------------------------

    def respond(self, *items: tuple) -> "AnthropicStub":
        """Queue responses: ``(status, headers, body[, delay])`` each."""
        with self._lock:
            self._script.extend(_normalise(item) for item in items)
        return self

    def always(self, item: tuple) -> "AnthropicStub":
        """The response once the queue is empty (e.g. a persistent 529)."""
        self._default = _normalise(item)
        return self

    def bodies(self) -> list[dict]:
        """The bodies of the Messages requests (not the token counts)."""
        return [r["body"] for r in self.requests if r["path"].split("?")[0] == "/v1/messages"]

    def messages_sent(self) -> int:
        return len(self.bodies())

    # -- serving -----------------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        if handler.path.split("?")[0] == "/v1/messages/batches":
            self._create_batch(handler, body)
            return
        if handler.path.split("?")[0] == "/v1/messages/count_tokens":
            with self._lock:
                self.requests.append({"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()},
                                      "body": body})
            prefix, rest = self._token_parts(body if isinstance(body, dict) else {})
            self._send(handler, 200, {}, {"input_tokens": prefix + rest})
            return
        with self._lock:
            self.requests.append({"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()},
                                  "body": body})
            status, headers, answer, delay = self._script.popleft() if self._script else self._default
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if handler.path.split("?")[0] != "/v1/messages":
                status, headers, answer, delay = 404, {}, error_body("not_found_error", f"no route {handler.path}"), 0.0
            if delay:
                time.sleep(delay)
            answer = self._fill(copy.deepcopy(answer), body)
        finally:
            with self._lock:
                self.in_flight -= 1
        self._send(handler, status, headers, answer)

    def _create_batch(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        batch_id = f"msgbatch_stub{next(_ids):06d}"
        results = []
        with self._lock:
            self.requests.append({"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()},
                                  "body": body})
            answers = [self._script.popleft() if self._script else self._default for _ in body.get("requests", [])]
        for item, (status, _, answer, _) in zip(body.get("requests", []), answers):  # filled outside the lock (usage takes it)
            answer = self._fill(copy.deepcopy(answer), item.get("params") or {})
            result = ({"type": "succeeded", "message": answer} if status == 200 else
                      {"type": "errored", "error": answer if isinstance(answer, dict) else error_body("api_error", "stub")})
            results.append({"custom_id": item["custom_id"], "result": result})
        with self._lock:
            self.batches[batch_id] = {"requests": body.get("requests", []), "results": results, "polls": 0}
        self._send(handler, 200, {}, self._batch(batch_id))

    def _batch(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        ended = batch["polls"] > self.batch_polls_pending
        succeeded = sum(1 for r in batch["results"] if r["result"]["type"] == "succeeded")
        counts = {"processing": 0 if ended else len(batch["results"]), "succeeded": succeeded if ended else 0,
                  "errored": len(batch["results"]) - succeeded if ended else 0, "canceled": 0, "expired": 0}
        return {"id": batch_id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": counts, "created_at": "2026-12-06T00:00:00Z", "expires_at": "2026-12-07T00:00:00Z",
                "ended_at": "2026-12-06T00:01:00Z" if ended else None, "archived_at": None, "cancel_initiated_at": None,
                "results_url": f"{self.base_url}/v1/messages/batches/{batch_id}/results" if ended else None}

    def _handle_batch_get(self, handler: BaseHTTPRequestHandler, path: str) -> None:
        parts = path.strip("/").split("/")  # v1 messages batches {id} [results]
        batch_id = parts[3]
        with self._lock:
            self.requests.append({"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()},
                                  "body": None})
            if batch_id not in self.batches:
                self._send(handler, 404, {}, error_body("not_found_error", f"no batch {batch_id}"))
                return
            if len(parts) == 4:
                self.batches[batch_id]["polls"] += 1
                answer = self._batch(batch_id)
            else:
                lines = "".join(json.dumps(r) + "\n" for r in self.batches[batch_id]["results"]).encode()
        if len(parts) == 4:
            self._send(handler, 200, {}, answer)
            return
        handler.send_response(200)
        handler.send_header("content-type", "application/binary")
        handler.send_header("content-length", str(len(lines)))
        handler.end_headers()
        handler.wfile.write(lines)

    def batch_submissions(self) -> int:
        return sum(1 for r in self.requests if r["path"].split("?")[0] == "/v1/messages/batches")

    def _handle_model(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0]
        if path.startswith("/v1/messages/batches/"):
            self._handle_batch_get(handler, path)
            return
        model = handler.path.split("?")[0].rsplit("/", 1)[-1]
        with self._lock:
            self.requests.append({"path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()},
                                  "body": None})
            status, headers, answer, _ = (self.model_answers.popleft() if self.model_answers else
                                          (200, {}, {"type": "model", "id": model, "display_name": model,
                                                     "created_at": "2026-01-01T00:00:00Z"}, 0.0))
        self._send(handler, status, headers, answer)

    def _send(self, handler: BaseHTTPRequestHandler, status: int, headers: dict, answer: Any) -> None:
        data = json.dumps(answer).encode()
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(data)))
            handler.send_header("request-id", f"req_stub{next(_ids):06d}")
            for name, value in headers.items():
                handler.send_header(name, str(value))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def _fill(self, answer: Any, request: Any) -> Any:
        if not isinstance(answer, dict) or answer.get("type") != "message" or not isinstance(request, dict):
            return answer
        if answer.get("model") is None:
            answer["model"] = request.get("model")
        if answer.get("usage") == AUTO_USAGE:
            answer["usage"] = self._simulated_usage(request, answer)
        return answer

    @staticmethod
    def _split(request: dict) -> tuple[str, str]:
        """(cached prefix, rest) of a request, as the text the token estimate counts."""
        system = request.get("system") or []
        if isinstance(system, str):
            system = [{"type": "text", "text": system}]
        marked = [i for i, block in enumerate(system) if isinstance(block, dict) and block.get("cache_control")]
        prefix = json.dumps([request.get("tools"), system[: marked[-1] + 1]], sort_keys=True) if marked else ""
        rest = json.dumps([system[marked[-1] + 1:] if marked else system, request.get("messages")], sort_keys=True)
        return prefix, rest

    def _token_parts(self, request: dict) -> tuple[int, int]:
        prefix, rest = self._split(request)
        return -(-len(prefix) // 4), -(-len(rest) // 4)

    def _simulated_usage(self, request: dict, answer: dict) -> dict[str, int]:
        prefix, rest = self._split(request)
        prefix_tokens = -(-len(prefix) // 4)
        write = read = 0
        if prefix:
            with self._lock:
                if prefix in self._cached:
                    read = prefix_tokens
                else:
                    self._cached.add(prefix)
                    write = prefix_tokens
        output = -(-len(json.dumps(answer.get("content"))) // 4)
        return usage(-(-len(rest) // 4), output, cache_creation_input_tokens=write, cache_read_input_tokens=read)


def _normalise(item: tuple) -> tuple:
    if len(item) == 3:
        return (*item, 0.0)
    if len(item) == 4:
        return tuple(item)
    raise ValueError("a script item is (status, headers, body) or (status, headers, body, delay)")


@pytest.fixture
def anthropic_stub() -> Iterator[AnthropicStub]:
    stub = AnthropicStub().start()
    try:
        yield stub
    finally:
        stub.close()
