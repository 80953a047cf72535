"""Every compiled component YAML carries its docstring: a description, a description per
input and output, and a default for every parameter (so a user can call it with only its
artifacts). Read with PyYAML and with KFP's own loader, as a user's pipeline reads them."""

import inspect
from pathlib import Path

import pytest
import yaml
from kfp import components

import driftline.components as package

YAML_DIR = Path(__file__).resolve().parents[2] / "components" / "yaml"
YAML_FILES = sorted(YAML_DIR.glob("*.yaml"))


def test_there_is_one_yaml_per_component() -> None:
    assert sorted(p.stem for p in YAML_FILES) == sorted(set(package.__all__) - {"IMAGE", "load"})


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_yaml_has_the_docstring_descriptions_and_defaults(path: Path) -> None:
    text = path.read_text()
    spec = yaml.safe_load(text)
    (component,) = spec["components"].values()
    docstring = inspect.getdoc(getattr(package, path.stem).python_func)
    assert docstring

    # The description KFP's loader and UI show comes from the docstring.
    loaded = components.load_component_from_file(str(path))
    assert loaded.description == docstring
    assert f"# Description: {docstring.splitlines()[0]}" in text

    inputs = component.get("inputDefinitions", {})
    outputs = component.get("outputDefinitions", {})
    undocumented = [
        f"{side} {name}"
        for side, definitions in (("input", inputs), ("output", outputs))
        for kind in ("parameters", "artifacts")
        for name, definition in definitions.get(kind, {}).items()
        if not definition.get("description", "").strip()
    ]
    assert undocumented == [], f"{path.name}: document these in Args:/Returns: {undocumented}"

    no_default = [
        name
        for name, definition in inputs.get("parameters", {}).items()
        if "defaultValue" not in definition and not definition.get("isOptional")
    ]
    assert no_default == [], f"{path.name}: parameters without a default {no_default}"
    for name in inputs.get("parameters", {}):
        assert loaded.component_spec.inputs[name].optional, name


def test_the_checks_catch_a_bad_component(tmp_path: Path) -> None:
    """The test above fails for a component without docstring entries or defaults."""
    from kfp import compiler, dsl

    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def careless(rows: int, label: str = "x") -> int:
        return rows

    out = tmp_path / "careless.yaml"
    compiler.Compiler().compile(careless, str(out))
    (component,) = yaml.safe_load(out.read_text())["components"].values()
    parameters = component["inputDefinitions"]["parameters"]
    assert "defaultValue" not in parameters["rows"] and not parameters["rows"].get("isOptional")
    assert not parameters["label"].get("description")
    assert components.load_component_from_file(str(out)).description is None
