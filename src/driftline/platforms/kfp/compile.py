"""Find every component and pipeline and compile them to YAML with the KFP compiler.

Conventions (checked, not guessed):
- every module of `driftline.components`, except its helpers (`image`, `loader`) and
  private `_*` modules, defines a component object named like the module
  (`check_drift.py` -> `check_drift`);
- every module of `driftline.pipelines` defines a `@dsl.pipeline` object named like the
  module, or a `PIPELINES` dict {name: pipeline}; `driftline.pipelines` holds pipeline
  definitions only, so a module with neither is an error.

kfp and the definitions are imported when compiling, not when this module is imported.

Output is deterministic (the compiler writes no timestamps), so a test can compare a
fresh compile with the committed YAML byte for byte.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from driftline import storage
from driftline.errors import DriftlineError, InputError
from driftline.image import IMAGE_ENV

COMPONENTS_PACKAGE = "driftline.components"
PIPELINES_PACKAGE = "driftline.pipelines"
NOT_COMPONENT_MODULES = frozenset({"image", "loader"})


@dataclass(frozen=True)
class Compiled:
    """One written YAML file: what it holds and where it went."""

    kind: str  # "component" | "pipeline"
    name: str
    path: Path


def module_names(package: str, skip: frozenset[str] = frozenset()) -> list[str]:
    """Public, non-package modules of `package` (sorted), minus `skip`."""
    pkg = importlib.import_module(package)
    return sorted(
        info.name
        for info in pkgutil.iter_modules(pkg.__path__)
        if not info.ispkg and not info.name.startswith("_") and info.name not in skip
    )


def discover_components(
    package: str = COMPONENTS_PACKAGE, *, fresh: bool = False
) -> dict[str, Any]:
    """{name: component} for every component module of `package`.

    A module without a component named like itself is a bug in the package, so it
    raises instead of being skipped. `fresh` re-imports (after an image change).
    """
    from kfp.dsl.base_component import BaseComponent
    from kfp.dsl.graph_component import GraphComponent

    found: dict[str, Any] = {}
    for name in module_names(package, NOT_COMPONENT_MODULES):
        obj = getattr(_load(f"{package}.{name}", fresh), name, None)
        if not isinstance(obj, BaseComponent) or isinstance(obj, GraphComponent):
            raise DriftlineError(
                f"{package}.{name} must define a component named {name!r} "
                "(a @dsl.component or @dsl.container_component object)"
            )
        found[name] = obj
    return found


def discover_pipelines(package: str = PIPELINES_PACKAGE, *, fresh: bool = False) -> dict[str, Any]:
    """{name: pipeline} for every pipeline module of `package` (see module docstring)."""
    from kfp.dsl.graph_component import GraphComponent

    found: dict[str, Any] = {}
    for name in module_names(package):
        module = _load(f"{package}.{name}", fresh)
        registry = getattr(module, "PIPELINES", None)
        if isinstance(registry, dict):
            candidates = dict(registry)
        else:
            candidates = {name: getattr(module, name, None)}
        for key, obj in candidates.items():
            if not isinstance(obj, GraphComponent):
                where = f"PIPELINES[{key!r}]" if registry is not None else repr(name)
                raise DriftlineError(
                    f"{package}.{name} holds pipeline definitions only: {where} must be a "
                    "@dsl.pipeline (or give the module a PIPELINES dict)"
                )
            found[key] = obj
    return found


def source_yaml_dirs() -> tuple[Path, Path] | None:
    """(components/yaml, pipelines/yaml) of the source checkout driftline runs from, if any."""
    components_dir = Path(importlib.import_module(COMPONENTS_PACKAGE).__file__ or "").parent
    root = components_dir.parent
    if components_dir.name == "components" and (root / "pyproject.toml").is_file():
        return components_dir / "yaml", root / "pipelines" / "yaml"
    return None


def compile_all(
    out: Path | None = None,
    *,
    image: str | None = None,
    components_package: str = COMPONENTS_PACKAGE,
    pipelines_package: str | None = PIPELINES_PACKAGE,
) -> list[Compiled]:
    """Compile every component and pipeline; return what was written.

    Without `out`, writes `components/yaml/<name>.yaml` and `pipelines/yaml/<name>.yaml`
    of the source checkout and removes YAML whose module is gone; with `out`, writes
    `<out>/components/<name>.yaml` and `<out>/pipelines/<name>.yaml`. `image` overrides
    the component image (sets DRIFTLINE_IMAGE and re-imports the modules). All files are
    compiled to a temporary directory first: on any error nothing is written.
    """
    if out is None:
        dirs = source_yaml_dirs()
        if dirs is None:
            raise InputError(
                "driftline is installed, not run from a source checkout: "
                "give --out DIR to say where the YAML goes",
                param="out",
            )
        targets, prune = dirs, True
    else:
        targets, prune = (Path(out) / "components", Path(out) / "pipelines"), False
    from kfp import compiler

    if image:
        os.environ[IMAGE_ENV] = image
        _load(f"{COMPONENTS_PACKAGE}.image", fresh=True)
    fresh = bool(image)
    groups = [("component", discover_components(components_package, fresh=fresh), targets[0])]
    if pipelines_package:
        groups.append(("pipeline", discover_pipelines(pipelines_package, fresh=fresh), targets[1]))

    with tempfile.TemporaryDirectory(prefix="driftline-compile-") as staging:
        staged: list[tuple[Path, Compiled]] = []
        for kind, objects, target in groups:
            for name, obj in objects.items():
                tmp = Path(staging) / kind / f"{name}.yaml"
                tmp.parent.mkdir(parents=True, exist_ok=True)
                compiler.Compiler().compile(obj, package_path=str(tmp))
                staged.append((tmp, Compiled(kind, name, target / f"{name}.yaml")))
        storage.write_together({item.path: storage.read_bytes(tmp) for tmp, item in staged})
        written = [item for _, item in staged]
    if prune:
        keep = {item.path for item in written}
        for target in targets:
            for stale in target.glob("*.yaml") if target.is_dir() else []:
                if stale not in keep:
                    stale.unlink()
    return written


def _load(module_name: str, fresh: bool) -> ModuleType:
    if fresh and module_name in sys.modules:
        return importlib.reload(sys.modules[module_name])
    return importlib.import_module(module_name)
