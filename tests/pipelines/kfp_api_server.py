"""A local stand-in for the KFP v2beta1 REST API, strict about what it accepts.

No KFP API server can run on this machine, so the publish tests talk to this one
(loopback, free port). Every request is checked against the real API description
before it is served, and a request the real server would reject is answered 400
and recorded in `errors`:

- path, method and query parameter names against the upstream swagger files in
  tests/reference/kfp/api-v2beta1 (kubeflow/pipelines master, 2026-08);
- JSON bodies against the swagger definition (unknown fields fail, enums checked,
  recursively) and against kfp-server-api's model classes (`openapi_types`);
- multipart uploads: exactly one `uploadfile` part holding a YAML pipeline spec.

Responses are checked the same way before they are sent. State is kept in memory
the way the backend does it: the first version of an uploaded pipeline carries the
pipeline's name; names are unique per pipeline / experiment namespace.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import kfp_server_api.models as models
import yaml

from tests.json_server import JsonServer
from tests.reference import REFERENCE

SWAGGER_DIR = REFERENCE / "kfp" / "api-v2beta1"
JSON = dict[str, Any]


class Invalid(ValueError):
    """A request (or response) the real API would not accept."""


class ApiSpec:
    """The merged v2beta1 swagger: operations by (method, path regex) and definitions."""

    def __init__(self, folder: Path = SWAGGER_DIR) -> None:
        self.definitions: JSON = {}
        self.operations: list[tuple[str, re.Pattern[str], str, JSON]] = []
        for path in sorted(folder.glob("*.swagger.json")):
            doc = json.loads(path.read_text())
            self.definitions.update(doc.get("definitions", {}))
            for template, ops in doc["paths"].items():
                regex = re.sub(r"\{([^}]+)\}", lambda m: f"(?P<{_group(m[1])}>[^/:]+)", template)
                for method, op in ops.items():
                    self.operations.append((method.upper(), re.compile(f"^{regex}$"), template, op))
        # literal segments win over parameters (/pipelines/upload vs /pipelines/{id})
        self.operations.sort(key=lambda o: o[2].count("{"))

    def match(self, method: str, path: str) -> tuple[str, JSON, dict[str, str]] | None:
        for op_method, regex, template, op in self.operations:
            m = regex.match(path)
            if m and op_method == method:
                return template, op, m.groupdict()
        return None

    def check(self, data: Any, schema: JSON, where: str) -> None:
        """Validate `data` against a swagger schema; unknown object keys are errors."""
        if "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[1]]
        kind = schema.get("type", "object")
        if "enum" in schema and data not in schema["enum"]:
            raise Invalid(f"{where}: {data!r} is not one of {schema['enum']}")
        if kind == "object":
            if "properties" not in schema and "additionalProperties" not in schema:
                return  # protobuf Struct/Any: free-form
            if not isinstance(data, dict):
                raise Invalid(f"{where}: expected an object, got {data!r}")
            props = schema.get("properties", {})
            for key, value in data.items():
                if key in props:
                    self.check(value, props[key], f"{where}.{key}")
                elif "additionalProperties" in schema:
                    self.check(value, schema["additionalProperties"], f"{where}[{key}]")
                else:
                    raise Invalid(f"{where}: unknown field {key!r}; known: {sorted(props)}")
        elif kind == "array":
            if not isinstance(data, list):
                raise Invalid(f"{where}: expected a list, got {data!r}")
            for i, item in enumerate(data):
                self.check(item, schema.get("items", {}), f"{where}[{i}]")
        elif kind == "string":
            int64 = schema.get("format") in {"int64", "uint64"}
            if not (isinstance(data, str) or (int64 and _is_int(data))):
                raise Invalid(f"{where}: expected a string, got {data!r}")
            if int64 and not re.fullmatch(r"-?\d+", str(data)):
                raise Invalid(f"{where}: expected an int64, got {data!r}")
            if schema.get("format") == "date-time":
                datetime.fromisoformat(str(data).replace("Z", "+00:00"))
        elif kind == "integer" and not _is_int(data):
            raise Invalid(f"{where}: expected an integer, got {data!r}")
        elif kind == "number" and not (_is_int(data) or isinstance(data, float)):
            raise Invalid(f"{where}: expected a number, got {data!r}")
        elif kind == "boolean" and not isinstance(data, bool):
            raise Invalid(f"{where}: expected a boolean, got {data!r}")


def check_model(data: Any, type_name: str, where: str) -> None:
    """Validate `data` against a kfp-server-api model type, as its ApiClient would map it."""
    if type_name.startswith("list["):
        if not isinstance(data, list):
            raise Invalid(f"{where}: expected a list")
        for i, item in enumerate(data):
            check_model(item, type_name[5:-1], f"{where}[{i}]")
        return
    if type_name.startswith("dict("):
        value_type = type_name[5:-1].split(", ", 1)[1]
        for key, value in data.items():
            check_model(value, value_type, f"{where}[{key}]")
        return
    simple: dict[str, Callable[[Any], bool]] = {
        "str": lambda v: isinstance(v, str) or _is_int(v),  # int64 travels as str or number
        "int": _is_int,
        "float": lambda v: _is_int(v) or isinstance(v, float),
        "bool": lambda v: isinstance(v, bool),
        "object": lambda v: True,
        "datetime": lambda v: isinstance(v, str),
    }
    if type_name in simple:
        if not simple[type_name](data):
            raise Invalid(f"{where}: expected {type_name}, got {data!r}")
        return
    klass = getattr(models, type_name)
    if not klass.openapi_types:  # an enum model
        valid = [v for k, v in vars(klass).items() if k.isupper()]
        if data not in valid:
            raise Invalid(f"{where}: {data!r} is not a valid {type_name}: {valid}")
        return
    if not isinstance(data, dict):
        raise Invalid(f"{where}: expected a {type_name} object")
    by_json = {json_name: attr for attr, json_name in klass.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json:
            raise Invalid(f"{where}: {type_name} has no field {key!r}")
        check_model(value, klass.openapi_types[by_json[key]], f"{where}.{key}")


class KfpApiServer:
    """In-memory KFP v2beta1 API on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, *, token: str | None = None, multi_user: bool = False) -> None:
        self.spec = ApiSpec()
        self.token = token
        self.multi_user = multi_user
        self.requests: list[JSON] = []
        self.errors: list[str] = []
        self.pipelines: dict[str, JSON] = {}
        self.versions: dict[str, list[JSON]] = {}
        self.experiments: dict[str, JSON] = {}
        self.runs: dict[str, JSON] = {}
        self.recurring_runs: dict[str, JSON] = {}
        self._ids = itertools.count(1)
        self._clock = itertools.count(0)
        self._lock = threading.Lock()
        self._http = JsonServer(self.handle)

    @property
    def url(self) -> str:
        return self._http.url

    def __enter__(self) -> KfpApiServer:
        self._http.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.__exit__(*exc)

    # ---- request handling -------------------------------------------------
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, JSON]:
        url = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.requests.append(
            {"method": method, "path": url.path, "query": query, "headers": headers}
        )
        public = url.path.endswith("/healthz")  # the API server does not authorize healthz
        if not public and self.token and headers.get("authorization") != f"Bearer {self.token}":
            return 401, _status(16, "missing or wrong bearer token")
        found = self.spec.match(method, url.path)
        if found is None:
            return 404, _status(5, f"no such API path: {method} {url.path}")
        template, op, path_params = found
        try:
            params = {p["name"]: p for p in op.get("parameters", [])}
            for name in query:
                if params.get(name, {}).get("in") != "query":
                    raise Invalid(f"{method} {template}: unknown query parameter {name!r}")
            payload: Any = None
            body_param = next((p for p in params.values() if p["in"] == "body"), None)
            if body_param is not None:
                payload = json.loads(body or b"{}")
                self.spec.check(payload, body_param["schema"], body_param["name"])
                ref = body_param["schema"].get("$ref", "").rsplit("/", 1)[-1]
                if ref:
                    check_model(payload, ref[0].upper() + ref[1:], body_param["name"])
            if any(p["in"] == "formData" for p in params.values()):
                payload = _upload_file(headers.get("content-type", ""), body)
            handler = getattr(self, "op_" + _op_name(method, template), None)
            if handler is None:
                return 501, _status(
                    12, f"{method} {template} is not implemented by the test server"
                )
            with self._lock:
                status, response = handler(payload, query, path_params)
            if status == 200:
                schema = op["responses"]["200"]["schema"]
                self.spec.check(response, schema, "response")
            return status, response
        except Invalid as exc:
            self.errors.append(str(exc))
            return 400, _status(3, str(exc))

    def _new_id(self) -> str:
        return f"00000000-0000-0000-0000-{next(self._ids):012d}"

    def _now(self) -> str:
        return (
            datetime.fromtimestamp(1_780_000_000 + next(self._clock), UTC)
            .isoformat()
            .replace("+00:00", "Z")
        )

    # ---- operations (named after method + path) ---------------------------
    def op_get_healthz(self, *_: Any) -> tuple[int, JSON]:
        return 200, {"multi_user": self.multi_user}

    def op_post_pipelines_upload(self, spec_text: str, query: JSON, _: Any) -> tuple[int, JSON]:
        name = query.get("display_name") or query.get("name") or ""
        namespace = query.get("namespace", "")
        if not name:
            return 400, _status(3, "pipeline name is empty")
        if any(
            p["display_name"] == name and p.get("namespace", "") == namespace
            for p in self.pipelines.values()
        ):
            return 409, _status(6, f"pipeline {name!r} already exists")
        pipeline = {
            "pipeline_id": self._new_id(),
            "name": name,
            "display_name": name,
            "description": query.get("description", ""),
            "created_at": self._now(),
            "namespace": namespace,
        }
        self.pipelines[pipeline["pipeline_id"]] = pipeline
        self.versions[pipeline["pipeline_id"]] = []
        self._add_version(pipeline["pipeline_id"], name, pipeline["description"], spec_text)
        return 200, pipeline

    def op_post_pipelines_upload_version(
        self, spec_text: str, query: JSON, _: Any
    ) -> tuple[int, JSON]:
        pid, name = (
            query.get("pipelineid", ""),
            query.get("display_name") or query.get("name") or "",
        )
        if pid not in self.pipelines:
            return 404, _status(5, f"pipeline {pid!r} not found")
        if any(v["display_name"] == name for v in self.versions[pid]):
            return 409, _status(6, f"version {name!r} already exists")
        return 200, self._add_version(pid, name, query.get("description", ""), spec_text)

    def _add_version(self, pid: str, name: str, description: str, spec_text: str) -> JSON:
        docs = [d for d in yaml.safe_load_all(spec_text) if d is not None]
        spec = docs[0] if len(docs) == 1 else {"pipeline_spec": docs[0], "platform_spec": docs[1]}
        version = {
            "pipeline_id": pid,
            "pipeline_version_id": self._new_id(),
            "name": name,
            "display_name": name,
            "description": description,
            "created_at": self._now(),
            "pipeline_spec": spec,
        }
        self.versions[pid].append(version)
        return version

    def op_get_pipelines(self, _: Any, query: JSON, __: Any) -> tuple[int, JSON]:
        found = _filtered(list(self.pipelines.values()), query.get("filter"))
        if "namespace" in query:
            found = [p for p in found if p.get("namespace", "") == query["namespace"]]
        return 200, {"pipelines": found, "total_size": len(found)} if found else {}

    def op_get_pipelines_pipeline_id(self, _: Any, __: Any, path: JSON) -> tuple[int, JSON]:
        pipeline = self.pipelines.get(path["pipeline_id"])
        return (200, pipeline) if pipeline else (404, _status(5, "pipeline not found"))

    def op_get_pipelines_pipeline_id_versions(
        self, _: Any, query: JSON, path: JSON
    ) -> tuple[int, JSON]:
        if path["pipeline_id"] not in self.versions:
            return 404, _status(5, "pipeline not found")
        found = _filtered(list(self.versions[path["pipeline_id"]]), query.get("filter"))
        sort_by = query.get("sort_by", "")
        if sort_by:
            key, _, order = sort_by.partition(" ")
            if key not in {"created_at", "display_name", "name"} or order not in {
                "",
                "desc",
                "asc",
            }:
                raise Invalid(f"unsupported sort_by {sort_by!r}")
            found.sort(key=lambda v: v[key], reverse=order == "desc")
        size = int(query.get("page_size") or 0) or len(found)
        page = found[:size]
        return 200, {"pipeline_versions": page, "total_size": len(found)} if page else {}

    def op_get_experiments(self, _: Any, query: JSON, __: Any) -> tuple[int, JSON]:
        found = _filtered(list(self.experiments.values()), query.get("filter"))
        found = [e for e in found if e.get("namespace", "") == query.get("namespace", "")]
        return 200, {"experiments": found, "total_size": len(found)} if found else {}

    def op_post_experiments(self, body: JSON, *_: Any) -> tuple[int, JSON]:
        name, namespace = body.get("display_name", ""), body.get("namespace", "")
        if not name:
            return 400, _status(3, "experiment display_name is empty")
        if any(
            e["display_name"] == name and e.get("namespace", "") == namespace
            for e in self.experiments.values()
        ):
            return 409, _status(6, f"experiment {name!r} already exists")
        experiment = {
            **body,
            "experiment_id": self._new_id(),
            "created_at": self._now(),
            "storage_state": "AVAILABLE",
            "namespace": namespace,
        }
        self.experiments[experiment["experiment_id"]] = experiment
        return 200, experiment

    def _check_run_target(self, body: JSON) -> None:
        """As the backend does: no experiment_id means the default experiment, and a
        reference without pipeline_version_id means the pipeline's latest version."""
        if not body.get("experiment_id"):
            body["experiment_id"] = self._default_experiment()
        if body["experiment_id"] not in self.experiments:
            raise Invalid(f"experiment {body.get('experiment_id')!r} does not exist")
        ref = body.get("pipeline_version_reference")
        if (ref is None) == (body.get("pipeline_spec") is None):
            raise Invalid("give exactly one of pipeline_version_reference and pipeline_spec")
        if ref is not None:
            versions = self.versions.get(ref.get("pipeline_id", ""), [])
            if versions and not ref.get("pipeline_version_id"):
                ref["pipeline_version_id"] = versions[-1]["pipeline_version_id"]
            if not any(
                v["pipeline_version_id"] == ref.get("pipeline_version_id") for v in versions
            ):
                raise Invalid(f"pipeline version {ref} does not exist")

    def _default_experiment(self) -> str:
        for experiment in self.experiments.values():
            if experiment["display_name"] == "Default" and not experiment.get("namespace"):
                return str(experiment["experiment_id"])
        return str(self.op_post_experiments({"display_name": "Default"})[1]["experiment_id"])

    def op_post_runs(self, body: JSON, *_: Any) -> tuple[int, JSON]:
        self._check_run_target(body)
        run = {
            **body,
            "run_id": self._new_id(),
            "created_at": self._now(),
            "state": "PENDING",
            "storage_state": "AVAILABLE",
        }
        self.runs[run["run_id"]] = run
        return 200, run

    def op_post_recurringruns(self, body: JSON, *_: Any) -> tuple[int, JSON]:
        self._check_run_target(body)
        trigger = body.get("trigger") or {}
        if len(trigger) != 1:
            raise Invalid(
                f"trigger needs exactly one of cron_schedule, periodic_schedule: {trigger}"
            )
        if (
            "cron_schedule" in trigger
            and len(trigger["cron_schedule"].get("cron", "").split()) != 6
        ):
            raise Invalid(
                "cron needs 6 fields (seconds first), as robfig/cron with seconds parses it"
            )
        if (
            "periodic_schedule" in trigger
            and int(trigger["periodic_schedule"].get("interval_second", 0)) <= 0
        ):
            raise Invalid("periodic_schedule.interval_second must be positive")
        if body.get("mode") not in {"ENABLE", "DISABLE"}:
            raise Invalid(f"mode must be ENABLE or DISABLE, got {body.get('mode')!r}")
        recurring = {
            **body,
            "recurring_run_id": self._new_id(),
            "created_at": self._now(),
            "updated_at": self._now(),
            "status": "ENABLED" if body["mode"] == "ENABLE" else "DISABLED",
            "namespace": self.experiments[body["experiment_id"]].get("namespace", ""),
        }
        self.recurring_runs[recurring["recurring_run_id"]] = recurring
        return 200, recurring

    def op_get_runs(self, _: Any, query: JSON, __: Any) -> tuple[int, JSON]:
        found = _filtered(list(self.runs.values()), query.get("filter"))
        for key in ("experiment_id", "namespace"):
            if query.get(key):
                found = [r for r in found if r.get(key, "") == query[key]]
        return 200, {"runs": found, "total_size": len(found)} if found else {}

    def op_post_recurringruns_recurring_run_id_disable(
        self, _: Any, __: Any, path: JSON
    ) -> tuple[int, JSON]:
        recurring = self.recurring_runs.get(path["recurring_run_id"])
        if recurring is None:
            return 404, _status(5, "recurring run not found")
        recurring.update(mode="DISABLE", status="DISABLED", updated_at=self._now())
        return 200, {}

    def op_get_recurringruns(self, _: Any, query: JSON, __: Any) -> tuple[int, JSON]:
        found = _filtered(list(self.recurring_runs.values()), query.get("filter"))
        for key in ("experiment_id", "namespace"):
            if query.get(key):
                found = [r for r in found if r.get(key, "") == query[key]]
        start = int(query.get("page_token") or 0)
        size = int(query.get("page_size") or 0) or len(found) or 1
        page: JSON = {"recurringRuns": found[start : start + size], "total_size": len(found)}
        if start + size < len(found):
            page["next_page_token"] = str(start + size)
        return 200, page if found else {}

    def op_delete_recurringruns_recurring_run_id(
        self, _: Any, __: Any, path: JSON
    ) -> tuple[int, JSON]:
        if self.recurring_runs.pop(path["recurring_run_id"], None) is None:
            return 404, _status(5, "recurring run not found")
        return 200, {}


def _upload_file(content_type: str, body: bytes) -> str:
    if not content_type.startswith("multipart/form-data"):
        raise Invalid(f"upload must be multipart/form-data, got {content_type!r}")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"content-type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }
    if set(parts) != {"uploadfile"}:
        raise Invalid(f"upload form fields must be exactly ['uploadfile'], got {sorted(parts)}")
    text = parts["uploadfile"].get_payload(decode=True).decode()
    try:
        first = next(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise Invalid(f"uploadfile is not YAML: {exc}") from exc
    if not isinstance(first, dict) or "pipelineInfo" not in first or "root" not in first:
        raise Invalid("uploadfile is not a KFP pipeline spec (no pipelineInfo/root)")
    return text


def _filtered(items: list[JSON], raw_filter: str | None) -> list[JSON]:
    if not raw_filter:
        return items
    for predicate in json.loads(raw_filter).get("predicates", []):
        op, key = predicate.get("operation"), predicate.get("key")
        if op not in {"EQUALS", 1} or key not in {"display_name", "name"}:
            raise Invalid(f"unsupported filter predicate {predicate}")
        items = [
            i
            for i in items
            if i.get(key) == predicate.get("stringValue", predicate.get("string_value"))
        ]
    return items


def _status(code: int, message: str) -> JSON:
    return {"code": code, "message": message, "details": []}


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _op_name(method: str, template: str) -> str:
    path = template.removeprefix("/apis/v2beta1/")
    words = re.sub(r"[^a-z0-9]+", "_", path.replace("{", "").replace("}", "")).strip("_")
    return f"{method.lower()}_{words}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
