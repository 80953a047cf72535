"""Validators built from real specs: CRD openAPIV3 schemas, kubernetes client models,
and the structure Grafana expects of a schemaVersion 39 dashboard."""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import Any

import jsonschema
import yaml

from tests.reference import REFERENCE

CRDS = {
    "InferenceService": REFERENCE / "kserve/crd/serving.kserve.io_inferenceservices.yaml",
    "PodMonitor": REFERENCE / "prometheus-operator/crds/monitoring.coreos.com_podmonitors.yaml",
    "ServiceMonitor": REFERENCE
    / "prometheus-operator/crds/monitoring.coreos.com_servicemonitors.yaml",
    "PrometheusRule": REFERENCE
    / "prometheus-operator/crds/monitoring.coreos.com_prometheusrules.yaml",
}


def _strict(schema: Any) -> Any:
    """Reject unknown fields where the API server would silently prune them (a typo)."""
    if isinstance(schema, dict):
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        for value in schema.values():
            _strict(value)
    elif isinstance(schema, list):
        for item in schema:
            _strict(item)
    return schema


@cache
def crd_validator(kind: str) -> tuple[str, jsonschema.Draft7Validator]:
    crd = yaml.load(CRDS[kind].read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert crd["spec"]["names"]["kind"] == kind
    (version,) = [v for v in crd["spec"]["versions"] if v["served"] and v["storage"]]
    schema = _strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
    return f"{crd['spec']['group']}/{version['name']}", jsonschema.Draft7Validator(schema)


def crd_errors(obj: dict[str, Any]) -> list[str]:
    """Schema violations of a custom object against its CRD's served+stored version."""
    api_version, validator = crd_validator(obj["kind"])
    errors = [] if obj["apiVersion"] == api_version else [f"apiVersion != {api_version}"]
    errors += [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)
    ]
    return errors + metadata_errors(obj["metadata"])


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


def metadata_errors(meta: dict[str, Any]) -> list[str]:
    """ObjectMeta checks: round trip through the client model, label syntax."""
    errors = core_errors(meta, "V1ObjectMeta")
    for key, value in (meta.get("labels") or {}).items():
        if len(value) > 63 or not _LABEL_VALUE.match(value):
            errors.append(f"label {key}={value!r} is not a valid label value")
    return errors


class _Response:
    def __init__(self, data: Any) -> None:
        self.data = json.dumps(data)


def core_errors(obj: dict[str, Any], model: str) -> list[str]:
    """Deserialize through the kubernetes client's model (required fields are enforced)
    and serialize back: a field the model does not know is dropped, so it shows up."""
    from kubernetes.client import ApiClient

    api = ApiClient()
    try:
        parsed = api.deserialize(_Response(obj), model)
    except (ValueError, TypeError) as exc:
        return [f"{model}: {exc}"]
    back = api.sanitize_for_serialization(parsed)
    return [] if back == obj else [f"{model}: round trip differs: {back} != {obj}"]


GRID_COLUMNS = 24
#: Core panel plugin ids of Grafana 10/11 (the versions that write schemaVersion 39).
PANEL_TYPES = {
    "timeseries", "stat", "gauge", "bargauge", "table", "text", "row", "heatmap",
    "barchart", "piechart", "logs", "state-timeline", "status-history", "histogram",
}  # fmt: skip


def dashboard_errors(dashboard: dict[str, Any]) -> list[str]:
    """Check what Grafana needs of a schemaVersion 39 dashboard to import it unchanged.

    Top-level title/panels/schemaVersion/templating/time; uid (if any) <= 40 chars;
    each panel: unique integer id, a known core type, gridPos h/w/x/y integers inside
    the 24-column grid without overlaps; datasource references are objects
    {type, uid} (the form since schemaVersion 36) whose `$var` uids name a
    datasource template variable; targets have unique refIds and an expr.
    """
    errors: list[str] = []
    for key, kind in (("title", str), ("panels", list), ("schemaVersion", int)):
        if not isinstance(dashboard.get(key), kind):
            errors.append(f"{key} missing or not {kind.__name__}")
    if dashboard.get("schemaVersion") != 39:
        errors.append(f"schemaVersion {dashboard.get('schemaVersion')} != 39")
    uid = dashboard.get("uid")
    if uid is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid):
        errors.append(f"uid {uid!r} is not 1-40 of [A-Za-z0-9_-]")
    time = dashboard.get("time", {})
    if not {"from", "to"} <= set(time):
        errors.append("time needs from and to")
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    panels = list(_flatten(dashboard.get("panels", [])))
    ids = [p.get("id") for p in panels]
    if len(set(ids)) != len(ids) or not all(isinstance(i, int) for i in ids):
        errors.append(f"panel ids not unique integers: {ids}")
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        where = f"panel {panel.get('id')}"
        if panel.get("type") not in PANEL_TYPES:
            errors.append(f"{where}: unknown type {panel.get('type')!r}")
        grid = panel.get("gridPos", {})
        if not all(isinstance(grid.get(k), int) for k in "hwxy"):
            errors.append(f"{where}: gridPos needs integer h, w, x, y")
            continue
        if not (grid["w"] >= 1 and grid["x"] >= 0 and grid["x"] + grid["w"] <= GRID_COLUMNS):
            errors.append(f"{where}: gridPos outside the {GRID_COLUMNS}-column grid")
        mine = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        if mine & cells:
            errors.append(f"{where}: overlaps another panel")
        cells |= mine
        refs = [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]
        for ref in filter(None, refs):
            if not isinstance(ref, dict) or not {"type", "uid"} <= set(ref):
                errors.append(f"{where}: datasource {ref!r} is not a {{type, uid}} reference")
            elif ref["uid"].startswith("$"):
                var = variables.get(ref["uid"][1:])
                if var is None or var.get("type") != "datasource":
                    errors.append(f"{where}: {ref['uid']} is not a datasource variable")
        ref_ids = [t["refId"] for t in panel.get("targets", []) if "refId" in t]
        if len(set(ref_ids)) != len(ref_ids):
            errors.append(f"{where}: duplicate refIds {ref_ids}")
        if panel.get("type") != "row" and not all(t.get("expr") for t in panel.get("targets", [])):
            errors.append(f"{where}: a target has no expr")
    return errors


def _flatten(panels: list[dict[str, Any]]) -> Any:
    for panel in panels:
        yield panel
        yield from _flatten(panel.get("panels", []))
