"""Load a shipped component by name from its compiled YAML, in the configured image.

`kfp.components.load_component_from_file("components/yaml/check_drift.yaml")` gives the
component in the image it was compiled with. `load("check_drift")` rewrites the image to
the one the imported components use (`DRIFTLINE_IMAGE`, else the published image), so a
pipeline mixing imported and loaded components runs in one image.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from driftline import storage
from driftline.errors import UnknownNameError
from driftline.image import configured_image
from driftline.platforms.kfp.local import refuse_venv_runner


def shipped_names() -> list[str]:
    """Names of the components whose compiled YAML ships with driftline."""
    folder = resources.files("driftline.components") / "yaml"
    names = (p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))
    return sorted(names)


def load(name: str, *, image: str | None = None) -> Any:
    """The shipped component `name`, running in `image` (default: the configured image)."""
    from kfp import components

    if name not in shipped_names():
        raise UnknownNameError("component", name, shipped_names())
    text = storage.read_text(
        str(resources.files("driftline.components") / "yaml" / f"{name}.yaml"), what="component"
    )
    spec = yaml.safe_load(text)
    for executor in spec.get("deploymentSpec", {}).get("executors", {}).values():
        if "container" in executor:
            executor["container"]["image"] = image or configured_image()
    return refuse_venv_runner(
        components.load_component_from_text(yaml.safe_dump(spec, sort_keys=False))
    )
