"""The sink's HTTP front end: a plain ASGI application served by uvicorn.

POST (any path): one CloudEvent -> 200 once durable; 400 malformed, 401 bad token,
413 too large, 503 not ready. GET /healthz, /readyz (503 while starting, stopping or
while the write-ahead log cannot be written), /metrics.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from driftline.errors import InputError, MalformedEventError, SchemaMismatchError
from driftline.inference_log.events import parse_http_event
from driftline.inference_log.payload import flatten
from driftline.sink.service import Sink

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
DEFAULT_MAX_BODY = 8 * 1024 * 1024
STORED = b'{"stored": true}'


class _TooLarge(Exception):
    pass


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, doc: dict[str, Any]) -> None:
    await _respond(send, status, json.dumps(doc).encode(), b"application/json")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None when the client went away before sending all of it."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def create_app(
    sink: Sink, *, token: str | None = None, max_body: int = DEFAULT_MAX_BODY
) -> ASGIApp:
    """The ASGI app around `sink` (its lifespan starts and stops the sink). `token=None`
    accepts every client; an empty token is refused rather than read as "no auth"."""
    if token is not None and not token.strip():
        raise InputError(
            "`token` is empty, which would turn authentication off; give a token, or none "
            "to accept every client",
            param="token",
        )
    expected = f"Bearer {token}".encode() if token is not None else None
    metrics = sink.metrics

    async def lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await sink.start()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await sink.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def reject(send: Send, status: int, reason: str, message: str) -> None:
        metrics.rejected.labels(reason).inc()
        await _json(send, status, {"error": message})

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await lifespan(receive, send)
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if method == "GET":
            if path == "/healthz":
                return await _json(send, 200, {"status": "ok"})
            if path == "/readyz":
                healthy = sink.healthy()
                doc = {"ready": healthy, "wal": sink.wal_error or "ok"}
                return await _json(send, 200 if healthy else 503, doc)
            if path == "/metrics":
                return await _respond(
                    send, 200, generate_latest(metrics.registry), CONTENT_TYPE_LATEST.encode()
                )
            return await _json(send, 404, {"error": "not found"})
        if method != "POST":
            return await reject(send, 405, "method", f"method {method} not allowed; POST events")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if expected is not None:
            given = headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return await reject(send, 401, "auth", "missing or wrong bearer token")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            return await reject(send, 413, "too_large", f"body over {max_body} bytes")
        try:
            body = await _read_body(receive, max_body)
        except _TooLarge:
            return await reject(send, 413, "too_large", f"body over {max_body} bytes")
        if body is None:  # nothing to answer: a cut-short upload is never stored
            metrics.rejected.labels("disconnected").inc()
            return None
        if declared.isdigit() and len(body) != int(declared):
            return await reject(
                send, 400, "truncated", f"body has {len(body)} bytes, Content-Length {declared}"
            )
        if not sink.ready:
            return await reject(send, 503, "not_ready", "sink is starting or stopping")
        try:
            event = parse_http_event(headers, body, time.time_ns() // 1000)
            rows = flatten(event.body, event.kind, sink.config.schema)
        except MalformedEventError as exc:
            return await reject(send, 400, "malformed", str(exc))
        try:
            sink.columns.check(event, rows)
        except SchemaMismatchError as exc:
            return await reject(send, 400, "schema", str(exc))
        except OSError as exc:
            return await reject(send, 503, "storage", f"cannot log event: {exc}")
        try:
            await sink.submit(event, rows)
        except OSError as exc:
            return await reject(send, 503, "storage", f"cannot log event: {exc}")
        await _respond(send, 200, STORED, b"application/json")

    return app
