"""The import graph of driftline: layers one way, no cycles (docs/architecture.md).

Every `import` and `from ... import` of a driftline module is read from the source (also
those inside functions, which load lazily but are dependencies all the same). Modules
loaded by name through importlib (the compiler's discovery of components and pipelines)
are not imports and are not counted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {
    "driftline": ROOT / "src" / "driftline",
    "driftline.components": ROOT / "components",
    "driftline.pipelines": ROOT / "pipelines",
}

#: Bottom up. A module may import modules of its own layer and of the layers below.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "foundation",
        (
            "driftline",
            "driftline.errors",
            "driftline.atomic",
            "driftline.exits",
            "driftline.image",
            "driftline.component_io",
            "driftline.progress",
        ),
    ),
    ("inference logs", ("driftline.inference_log",)),
    ("storage and documents", ("driftline.io", "driftline.report")),
    ("services", ("driftline.sink",)),
    ("profiles", ("driftline.profile",)),
    (
        "engines",
        (
            "driftline.validation",
            "driftline.drift",
            "driftline.performance",
            "driftline.observability",
            "driftline.alerting",
        ),
    ),
    ("kubernetes and kserve", ("driftline.serving",)),
    ("lineage", ("driftline.lineage",)),
    ("platforms", ("driftline.platforms",)),
    ("events", ("driftline.events",)),
    ("components", ("driftline.components",)),
    ("pipelines", ("driftline.pipelines",)),
    ("demo", ("driftline.demo",)),
    ("cli", ("driftline.cli", "driftline.__main__")),
]


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, root in SOURCES.items():
        for path in sorted(root.rglob("*.py")):
            parts = [p for p in path.relative_to(root).with_suffix("").parts if p != "__init__"]
            if package == "driftline" and parts[:1] in (["components"], ["pipelines"]):
                continue
            found[".".join([package, *parts])] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """The driftline modules `path` imports (anywhere in the file)."""
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] or [node.module]
            names = [n if n in known else node.module for n in names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("driftline"):
                yield name


def layer_of(module: str) -> int:
    best = (-1, -1)
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                best = max(best, (len(prefix), index))
    assert best[1] >= 0, f"{module} belongs to no layer: add it to LAYERS"
    return best[1]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: set(imports(p, known)) - {m} for m, p in known.items()}


def test_every_module_has_a_layer() -> None:
    for module in modules():
        layer_of(module)


def test_no_module_imports_a_layer_above_it() -> None:
    upward = [
        f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})"
        for m, targets in graph().items()
        for t in sorted(targets)
        if layer_of(t) > layer_of(m)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    cycles = [c for c in strongly_connected(graph()) if len(c) > 1]
    assert [sorted(c) for c in cycles] == []


def test_the_checks_can_fail() -> None:
    """A made-up graph with an upward import and a cycle is caught by the same functions."""
    fake = {"a": {"b"}, "b": {"a"}, "c": set()}
    assert [sorted(c) for c in strongly_connected(fake) if len(c) > 1] == [["a", "b"]]
    assert layer_of("driftline.io.readers") < layer_of("driftline.cli.app")
    assert layer_of("driftline.platforms.kfp.api") > layer_of("driftline.lineage.api")
    assert layer_of("driftline.io.kserve_capture") < layer_of("driftline.sink.service")


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components of a directed graph."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            found.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
