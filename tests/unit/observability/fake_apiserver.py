"""A loopback stand-in for the Kubernetes API server: GET and server-side apply PATCH.

No real API server can run here. This one implements the two endpoints
driftline uses as the Kubernetes API documents them: GET of a namespaced
object (404 with a Status body when missing) and PATCH with
`Content-Type: application/apply-patch+yaml`, a required `fieldManager`
query parameter and `force`; the applied configuration is merged into the
live object (fields the applier does not mention are kept), and
resourceVersion changes only when the object changes, metadata.generation only
when its spec changes. `roll_out` plays a controller (e.g. KServe's): the object
reports a pending status for a number of GETs, then Ready for its generation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

from tests.json_server import JsonServer


def merge(live: dict[str, Any], applied: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(live)
    for key, value in applied.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class FakeApiServer:
    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]], dict[str, str]]] = []
        self.fail_with: int | None = None
        self._version = 100
        self.rollouts: dict[str, Rollout] = {}

    def put(self, path: str, obj: dict[str, Any]) -> None:
        self._version += 1
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self._version)
        self.objects[path] = obj

    def roll_out(
        self,
        path: str,
        *,
        ready_after: int,
        url: str = "",
        pending: dict[str, Any] | None = None,
    ) -> None:
        """After the object at `path` is applied, answer `ready_after` GETs with `pending`
        conditions (default Ready=Unknown), then with Ready=True, `url` and observedGeneration."""
        self.rollouts[path] = Rollout(ready_after, url, pending)

    def _controller_step(self, path: str) -> None:
        rollout, live = self.rollouts.get(path), self.objects.get(path)
        if rollout is None or live is None:
            return
        generation = live["metadata"].get("generation", 1)
        if rollout.remaining > 0:
            rollout.remaining -= 1
            status = {"conditions": [rollout.pending or _condition("Unknown", "Deploying")]}
        else:
            status = {
                "url": rollout.url,
                "observedGeneration": generation,
                "conditions": [_condition("True"), {"type": "PredictorReady", "status": "True"}],
            }
        if live.get("status") != status:
            self.put(path, {**live, "status": status})

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        self.requests.append((method, parsed.path, query, headers))
        if headers.get("authorization") != "Bearer test-token":
            return 401, _status(401, "Unauthorized")
        if self.fail_with:
            return self.fail_with, _status(self.fail_with, "Forbidden")
        if method == "GET":
            self._controller_step(parsed.path)
        live = self.objects.get(parsed.path)
        if method == "GET":
            return (200, live) if live else (404, _status(404, "NotFound"))
        if method != "PATCH":
            return 405, _status(405, "MethodNotAllowed")
        if headers.get("content-type") != "application/apply-patch+yaml":
            return 415, _status(415, "UnsupportedMediaType")
        if not query.get("fieldManager"):
            return 422, _status(422, "fieldManager is required for apply requests")
        applied = yaml.safe_load(body)
        meta = applied.get("metadata", {})
        if not parsed.path.endswith(
            f"/namespaces/{meta.get('namespace')}/{_plural(parsed.path)}/{meta.get('name')}"
        ):
            return 400, _status(400, "BadRequest: name/namespace do not match the path")
        new = merge(live or {}, applied)
        new["metadata"].pop("resourceVersion", None)
        old = copy.deepcopy(live or {})
        old.get("metadata", {}).pop("resourceVersion", None)
        if live is None or new != old:
            if live is None or new.get("spec") != live.get("spec"):
                new["metadata"]["generation"] = (live or {}).get("metadata", {}).get(
                    "generation", 0
                ) + 1
            self.put(parsed.path, new)
            return (201 if live is None else 200), self.objects[parsed.path]
        return 200, live


@dataclass
class Rollout:
    remaining: int
    url: str
    pending: dict[str, Any] | None


def _condition(status: str, reason: str = "") -> dict[str, Any]:
    condition = {"type": "Ready", "status": status, "lastTransitionTime": "2026-11-29T10:00:00Z"}
    return {**condition, "reason": reason} if reason else condition


def _plural(path: str) -> str:
    return path.rstrip("/").split("/")[-2]


def _status(code: int, reason: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": reason,
        "code": code,
    }


@contextmanager
def running() -> Iterator[tuple[FakeApiServer, str]]:
    """Start the fake server on a free loopback port; yield it and its URL."""
    fake = FakeApiServer()
    with JsonServer(fake.handle) as url:
        yield fake, url
