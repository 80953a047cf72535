"""The receiver's HTTP side and its worker.

Routes: `POST /mlflow` (MLflow registry webhooks: HMAC signature and timestamp checked, a
replayed delivery id refused with 409), `POST /eventbridge` (SageMaker Model Package State
Change events from an EventBridge API destination: its token checked; a redelivered event id
is answered 200 and not done twice), `GET /healthz`. An accepted delivery is journaled, then
answered 202; the worker does the work afterwards, in order, retrying what may succeed later
(a KFP or AWS API that failed, a package not deployed yet) and giving up on bad input.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from driftline.errors import DeliveryAuthError, DriftlineError, InputError, LineageError
from driftline.events.config import ReceiverConfig
from driftline.events.journal import Entry, Journal

LOG = logging.getLogger("driftline.events")
MAX_ATTEMPTS = 10
RETRY_DELAY_S = 30.0
MAX_BODY = 1 << 20


def accept_delivery(
    config: ReceiverConfig, journal: Journal, route: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, Any]]:
    """Verify and journal one delivery: (HTTP status, JSON answer)."""
    from driftline.platforms.mlflow import webhooks
    from driftline.platforms.sagemaker import registry

    try:
        if route == "mlflow" and config.mlflow is not None:
            delivery = webhooks.verify_delivery(headers, body, config.mlflow_secret)
            event = webhooks.parse_event(webhooks.load_payload(body))
            if not journal.accept(delivery, route, webhooks.load_payload(body)):
                return 409, {"error": f"delivery {delivery} was already received (replay)"}
            return 202, {"accepted": delivery, "event": event.kind}
        if route == "eventbridge" and config.sagemaker is not None:
            registry.verify_delivery(headers, config.eventbridge_token)
            document = webhooks.load_payload(body)
            package = registry.parse_event(document)
            delivery = package.event_id or package.package_arn
            if not journal.accept(f"eventbridge-{delivery}", route, document):
                return 200, {"duplicate": delivery}
            return 202, {"accepted": delivery, "approval": package.approval}
    except DeliveryAuthError as exc:
        return 401, {"error": str(exc)}
    except InputError as exc:
        return 400, {"error": str(exc)}
    return 404, {"error": f"no route {route!r} configured; configured: {routes(config)}"}


def routes(config: ReceiverConfig) -> str:
    """The configured routes, for messages."""
    names = [
        f"/{n}" for n, on in (("mlflow", config.mlflow), ("eventbridge", config.sagemaker)) if on
    ]
    return ", ".join(names)


def work(config: ReceiverConfig, entry: Entry) -> Any:
    """Do what one journaled delivery asks; returns what was done."""
    if entry.route == "mlflow":
        from driftline.platforms.mlflow import monitoring, webhooks

        assert config.mlflow is not None
        event = webhooks.parse_event(entry.event)
        return monitoring.handle_event(event, config.mlflow, config.kfp)
    from driftline.platforms.sagemaker import registry

    assert config.sagemaker is not None
    return registry.handle_event(registry.parse_event(entry.event), config.sagemaker)


def drain(
    config: ReceiverConfig,
    journal: Journal,
    do: Callable[[ReceiverConfig, Entry], Any] = work,
    retry_delay: float = RETRY_DELAY_S,
) -> int:
    """Work through every due delivery once; returns how many were tried."""
    due = journal.due()
    for entry in due:
        try:
            outcome = do(config, entry)
        except (InputError, LineageError) as exc:  # retrying cannot help
            LOG.error("delivery %s failed: %s", entry.delivery, exc)
            journal.fail(entry, str(exc))
        except DriftlineError as exc:  # an API down, a package not deployed yet: later
            if entry.attempts + 1 >= MAX_ATTEMPTS:
                journal.fail(entry, str(exc))
            else:
                journal.retry(entry, str(exc), retry_delay * 2 ** min(entry.attempts, 5))
        else:
            LOG.info("delivery %s done: %s", entry.delivery, outcome)
            journal.finish(entry, outcome)
    return len(due)


class Receiver:
    """The HTTP server and its worker thread (a context manager; `url` while running)."""

    def __init__(
        self,
        config: ReceiverConfig,
        journal: Journal,
        host: str = "0.0.0.0",
        port: int = 8080,
        do: Callable[[ReceiverConfig, Entry], Any] = work,
    ) -> None:
        self.config, self.journal, self.do = config, journal, do
        self.wake = threading.Event()
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def run_worker(self) -> None:
        """Drain the journal now (what a previous process left), then on every wake-up."""
        while not self._stop.is_set():
            try:
                drain(self.config, self.journal, self.do)
            except Exception:  # the worker must outlive one bad delivery
                LOG.exception("receiver worker")
            self.wake.wait(timeout=1.0)
            self.wake.clear()

    def __enter__(self) -> Receiver:
        for target in (self.httpd.serve_forever, self.run_worker):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.wake.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=30)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/healthz":
                pending = sum(1 for e in receiver.journal.entries() if e.state == "pending")
                self._answer(
                    200, {"ok": True, "routes": routes(receiver.config), "pending": pending}
                )
            else:
                self._answer(404, {"error": "GET /healthz only"})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._answer(413, {"error": f"body over {MAX_BODY} bytes"})
                return
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            route = self.path.strip("/").split("?")[0]
            status, answer = accept_delivery(
                receiver.config, receiver.journal, route, headers, body
            )
            if status == 202:
                receiver.wake.set()
            self._answer(status, answer)

        def _answer(self, status: int, document: dict[str, Any]) -> None:
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            LOG.info("%s %s", self.address_string(), format % args)

    return Handler
