"""The one client of the Kubeflow Pipelines v2beta1 REST API that driftline uses.

The CLI (upload, schedule, run) and the components (schedule_monitoring,
start_retraining) talk to KFP through `KfpApiClient`, so both share one way to find
the API, authenticate and name failures. Inside a KFP pod the host defaults to the
in-cluster API service and the token to the projected service-account token KFP
reads from KF_PIPELINES_SA_TOKEN_PATH (in Kubeflow, the `access-ml-pipeline`
PodDefault mounts it on pods labelled `access-ml-pipeline: "true"`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftline import storage
from driftline.errors import InputError, PlatformError

DEFAULT_HOST = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
ENDPOINT_ENV = "KF_PIPELINES_ENDPOINT"
UI_ENDPOINT_ENV = "KF_PIPELINES_UI_ENDPOINT"
TOKEN_PATH_ENV = "KF_PIPELINES_SA_TOKEN_PATH"
DEFAULT_TOKEN_PATH = "/var/run/secrets/kubeflow/pipelines/token"
API_PREFIX = "/apis/v2beta1/"


@dataclass(frozen=True)
class KfpApiClient:
    """Where the KFP API is, how to authenticate, and one JSON request at a time.

    `host`: the API URL; empty = $KF_PIPELINES_ENDPOINT, else the in-cluster service.
    `namespace`: the profile namespace of a multi-user deployment ("" = single user).
    `token`: a bearer token; without one the projected service-account token is sent
    when mounted. `sa_token_path` names that token file and makes it required.
    `verify`: False skips TLS verification, a path is a CA bundle.
    """

    host: str = ""
    namespace: str = ""
    token: str | None = None
    sa_token_path: str | None = None
    verify: bool | str = True
    ui_host: str = ""
    timeout: float = 30.0

    @property
    def base(self) -> str:
        """The API root URL (no trailing slash)."""
        host = (self.host or os.environ.get(ENDPOINT_ENV) or DEFAULT_HOST).rstrip("/")
        return host if host.startswith(("http://", "https://")) else f"http://{host}"

    def ui_prefix(self) -> str:
        """Base URL of the KFP UI for printed links (kfp.Client's rule)."""
        ui = os.environ.get(UI_ENDPOINT_ENV) or self.ui_host or self.host
        ui = ui or os.environ.get(ENDPOINT_ENV, "")
        if not ui:
            return "/pipeline"
        ui = ui.rstrip("/")
        return ui if ui.startswith(("http://", "https://")) else f"http://{ui}"

    def bearer(self) -> str | None:
        """The token given, else the projected service-account token (required if named)."""
        if self.token:
            return self.token
        path = self.sa_token_path or os.environ.get(TOKEN_PATH_ENV) or DEFAULT_TOKEN_PATH
        if storage.exists(path):
            return storage.read_text(path, what="service-account token").strip()
        if self.sa_token_path:
            raise InputError(
                f"service-account token file {path} does not exist; mount a projected token "
                f"there or set {TOKEN_PATH_ENV}",
                param="sa_token_path",
            )
        return None

    def check_token(self) -> None:
        """Fail now (InputError) when a named service-account token file is missing."""
        self.bearer()

    def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        upload: tuple[str, bytes] | None = None,
    ) -> dict[str, Any]:
        """One request to /apis/v2beta1/<path>; PlatformError says what failed and why.

        `upload` is (file name, content) sent as the multipart field `uploadfile`.
        """
        import requests

        headers = {}
        bearer = self.bearer()
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        files = {"uploadfile": (upload[0], upload[1], "application/x-yaml")} if upload else None
        try:
            response = requests.request(
                method,
                self.base + API_PREFIX + path,
                json=body,
                params=params,
                files=files,
                headers=headers,
                timeout=self.timeout,
                verify=self.verify,
            )
        except requests.Timeout as exc:
            raise PlatformError(
                f"the KFP API at {self.base} did not answer within {self.timeout:g} s"
            ) from exc
        except requests.RequestException as exc:
            raise PlatformError(f"cannot reach the KFP API at {self.base}: {_cause(exc)}") from exc
        if response.status_code >= 300:
            raise PlatformError(
                f"KFP API at {self.base} answered {response.status_code} {response.reason} "
                f"when asked to {what}: {_message(response.text)}"
            )
        try:
            answer: dict[str, Any] = response.json() if response.content else {}
        except ValueError:
            raise PlatformError(f"KFP API at {self.base} answered {what} with no JSON") from None
        return answer

    def list_all(
        self, path: str, key: str, what: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a paged list (`key` is the list's field, e.g. "recurring_runs")."""
        query = {"page_size": "100", **(params or {})}
        camel = _camel(key)
        found: list[dict[str, Any]] = []
        while True:
            page = self.call("GET", path, what, params=query)
            found += page.get(key, page.get(camel, []))
            token = page.get("next_page_token") or page.get("nextPageToken")
            if not token:
                return found
            query["page_token"] = token

    def find_by_name(
        self, path: str, key: str, name: str, what: str, params: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Items called exactly `name` (a display_name EQUALS filter, checked again here)."""
        predicate = {"key": "display_name", "operation": "EQUALS", "string_value": name}
        query = {"filter": json.dumps({"predicates": [predicate]}), **(params or {})}
        return [i for i in self.list_all(path, key, what, query) if i.get("display_name") == name]


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(word.title() for word in rest)


def _cause(exc: Exception) -> str:
    """The root cause of a connection failure ("[Errno 111] Connection refused"), not the
    whole chain of wrapped exceptions with the encoded URL."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    return found.group(0) if found else text[:300]


def _message(text: str) -> str:
    try:
        return str(json.loads(text).get("message", text))[:300]
    except (TypeError, ValueError, AttributeError):
        return text[:300]
