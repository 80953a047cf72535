"""Compiled pipeline files: find them, read their spec, check run parameters, upload them.

Uploads are idempotent by content: a pipeline whose newest version holds the same
spec, or that has a version named after the file's content hash, is left alone.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from driftline import storage
from driftline.errors import InputError, UnknownNameError
from driftline.platforms.kfp.api import KfpApiClient

PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "STRING": (str,),
    "NUMBER_INTEGER": (int,),
    "NUMBER_DOUBLE": (int, float),
    "BOOLEAN": (bool,),
    "LIST": (list,),
    "STRUCT": (dict,),
}


@dataclass(frozen=True)
class PipelinePackage:
    """A compiled pipeline file: its path, bytes, YAML documents and pipeline spec."""

    path: Path
    content: bytes
    docs: list[dict[str, Any]]

    @property
    def spec(self) -> dict[str, Any]:
        """The pipeline spec (the first YAML document)."""
        return self.docs[0]

    @property
    def name(self) -> str:
        """The compiled pipelineInfo.name."""
        return str(self.spec.get("pipelineInfo", {}).get("name") or "")

    @property
    def content_name(self) -> str:
        """`<name>-<sha256[:12]>`: the version name that identifies this content."""
        return f"{self.name}-{hashlib.sha256(self.content).hexdigest()[:12]}"

    def parameters(self) -> dict[str, Any]:
        """The pipeline's root input parameters as compiled (name -> definition)."""
        declared: dict[str, Any] = (
            self.spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {})
        )
        return declared


@dataclass(frozen=True)
class Uploaded:
    """The pipeline version that holds the package now, and what uploading did."""

    action: str  # created | new_version | unchanged
    pipeline_id: str
    pipeline_version_id: str
    pipeline_name: str
    version_name: str


def resolve_package(pipeline: str) -> Path:
    """A pipeline YAML path, or the name of a pipeline shipped with driftline."""
    path = Path(pipeline)
    if path.suffix in {".yaml", ".yml"} or os.sep in pipeline:
        if not path.is_file():
            raise InputError(f"pipeline file {pipeline} does not exist", param="pipeline")
        return path
    shipped = {p.name[: -len(".yaml")]: Path(str(p)) for p in _shipped_yaml()}
    if pipeline not in shipped:
        raise UnknownNameError("pipeline", pipeline, list(shipped) or ["(none compiled yet)"])
    return shipped[pipeline]


def read_package(path: Path) -> PipelinePackage:
    """The compiled pipeline at `path`; InputError when it is not one."""
    try:
        content = storage.read_bytes(path, what="pipeline file")
        docs = [d for d in yaml.safe_load_all(content) if d is not None]
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read pipeline file {path}: {exc}", param="pipeline") from exc
    if not docs or not isinstance(docs[0], dict) or "root" not in docs[0]:
        raise InputError(
            f"{path} is not a compiled KFP pipeline (no pipelineInfo/root); "
            "compile it with `driftline compile` or kfp.compiler",
            param="pipeline",
        )
    return PipelinePackage(path, content, docs)


def load_params(path: Path | None) -> dict[str, Any]:
    """Pipeline parameters from a YAML (or JSON) mapping file; {} without a file."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(storage.read_text(path, what="parameters file"))
    except yaml.YAMLError as exc:
        raise InputError(f"cannot read parameters file {path}: {exc}", param="params") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise InputError(
            f"parameters file {path} must hold a mapping of parameter name to value",
            param="params",
        )
    return data


def check_params(params: dict[str, Any], package: PipelinePackage) -> dict[str, Any]:
    """`params` if they fit the pipeline's root inputs (names, required, types); else InputError."""
    declared = package.parameters()
    for key, value in params.items():
        if key not in declared:
            raise UnknownNameError("pipeline parameter", key, list(declared) or ["(none)"])
        kind = declared[key].get("parameterType", "STRING")
        allowed = PARAMETER_TYPES.get(kind, (object,))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise InputError(f"pipeline parameter {key!r} must be {kind}, got {value!r}", param=key)
    missing = sorted(
        k
        for k, d in declared.items()
        if k not in params and "defaultValue" not in d and not d.get("isOptional")
    )
    if missing:
        raise InputError(
            f"missing required pipeline parameters: {', '.join(missing)}", param="params"
        )
    return params


def upload_pipeline(
    api: KfpApiClient,
    package: PipelinePackage,
    *,
    name: str | None = None,
    description: str | None = None,
    version_name: str | None = None,
) -> Uploaded:
    """Upload `package` as pipeline `name` (default: its pipelineInfo.name), idempotently.

    A missing pipeline is created; an unchanged one (newest version with the same spec,
    or a version named after this content) is left alone; else a version is added, named
    `version_name` or `<name>-<sha256[:12]>`.
    """
    name = name or package.name
    if not name.strip():
        raise InputError("pipeline name is empty; give `name`", param="name")
    scope = {"namespace": api.namespace} if api.namespace else {}
    found = api.find_by_name("pipelines", "pipelines", name, "find the pipeline", scope)
    upload = (package.path.name, package.content)
    extra = {"description": description} if description else {}
    if not found:
        created = api.call(
            "POST",
            "pipelines/upload",
            f"upload pipeline {name!r}",
            params={"display_name": name, **extra, **scope},
            upload=upload,
        )
        version = _newest_version(api, str(created["pipeline_id"]))
        action = "created"
    else:
        pipeline_id = str(found[0]["pipeline_id"])
        version = _newest_version(api, pipeline_id)
        if version is None or not _same_spec(version.get("pipeline_spec"), package.docs):
            version = None if version_name else _version_named(api, pipeline_id, package)
        action = "unchanged"
        if version is None:
            action = "new_version"
            version = api.call(
                "POST",
                "pipelines/upload_version",
                f"upload a version of pipeline {name!r}",
                params={
                    "pipelineid": pipeline_id,
                    "display_name": version_name or package.content_name,
                    **extra,
                },
                upload=upload,
            )
    if version is None:
        raise InputError(f"pipeline {name!r} has no version after uploading", param="pipeline")
    return Uploaded(
        action=action,
        pipeline_id=str(version["pipeline_id"]),
        pipeline_version_id=str(version["pipeline_version_id"]),
        pipeline_name=name,
        version_name=str(version.get("display_name") or ""),
    )


def _newest_version(api: KfpApiClient, pipeline_id: str) -> dict[str, Any] | None:
    page = api.call(
        "GET",
        f"pipelines/{pipeline_id}/versions",
        "list pipeline versions",
        params={"page_size": "1", "sort_by": "created_at desc"},
    )
    versions = page.get("pipeline_versions") or page.get("pipelineVersions") or []
    return versions[0] if versions else None


def _version_named(
    api: KfpApiClient, pipeline_id: str, package: PipelinePackage
) -> dict[str, Any] | None:
    """The version named after this content, if one was uploaded earlier."""
    found = api.find_by_name(
        f"pipelines/{pipeline_id}/versions",
        "pipeline_versions",
        package.content_name,
        "list pipeline versions",
    )
    return found[0] if found else None


def _same_spec(server_spec: Any, docs: list[dict[str, Any]]) -> bool:
    """The KFP API returns the spec alone, or {pipeline_spec, platform_spec} with a platform doc."""
    if len(docs) == 1:
        return bool(server_spec == docs[0])
    return bool(server_spec == {"pipeline_spec": docs[0], "platform_spec": docs[1]})


def _shipped_yaml() -> list[Any]:
    folder = resources.files("driftline.pipelines") / "yaml"
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.name.endswith(".yaml")), key=str)
