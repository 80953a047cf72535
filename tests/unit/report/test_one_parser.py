"""Only `driftline.report` parses report documents.

An AST scan of the library, the components and the pipelines: a module that mentions reports
and parses JSON (json.load/loads, read_json) does so only in an allowed function, each of
which reads a document that is not a report.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
SCANNED = ("src/driftline", "components", "pipelines")
REPORT_PACKAGE = "src/driftline/report/"
JSON_PARSERS = {"load", "loads", "read_json"}

#: (module, function) -> the document it parses, which is not a report.
ALLOWED = {
    ("src/driftline/profile/dataset.py", "DatasetProfile.load"): "a baseline profile",
    ("src/driftline/profile/dataset.py", "read_profile_if_any"): "a profile sniff",
    ("src/driftline/cli/performance.py", "_baseline"): "the --baseline metrics file",
    ("src/driftline/lineage/mlmd/history.py", "_record"): "an MLMD property (metrics JSON)",
    ("src/driftline/lineage/mlflow/results.py", "history"): "a window's result.json record",
    ("src/driftline/io/sagemaker_capture.py", "_records"): "a SageMaker Data Capture record",
    ("src/driftline/io/sagemaker_ground_truth.py", "read_ground_truth"): "a ground-truth record",
    ("src/driftline/platforms/sagemaker/cloudwatch.py", "read_metric_lines"): "metric lines",
    ("src/driftline/platforms/sagemaker/files.py", "read_json"): "a Model Monitor JSON file",
    ("src/driftline/platforms/sagemaker/constraints.py", "load_constraints_file"): (
        "a Model Monitor constraints.json"
    ),
    ("src/driftline/platforms/sagemaker/violations.py", "read_violations"): (
        "a Model Monitor constraint_violations.json"
    ),
}


def _is_json_parse(call: ast.Call, from_json: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        named_json = isinstance(owner, ast.Name) and owner.id == "json"
        return func.attr == "read_json" or (named_json and func.attr in JSON_PARSERS)
    return isinstance(func, ast.Name) and (func.id == "read_json" or func.id in from_json)


def _calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """Every call with the qualified name of the function (or class) it sits in."""

    def walk(node: ast.AST, scope: str) -> Iterator[tuple[str, ast.Call]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                yield from walk(child, f"{scope}.{child.name}".lstrip("."))
                continue
            if isinstance(child, ast.Call):
                yield scope or "<module>", child
            yield from walk(child, scope)

    return walk(tree, "")


def report_parsers(modules: Iterable[tuple[str, str]]) -> list[str]:
    """`module:line in function` for each JSON parse in a module that mentions reports."""
    found = []
    for name, source in modules:
        if name.startswith(REPORT_PACKAGE) or "report" not in source.lower():
            continue
        tree = ast.parse(source)
        from_json = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "json"
            for alias in node.names
            if alias.name in JSON_PARSERS
        }
        found += [
            f"{name}:{call.lineno} in {scope}"
            for scope, call in _calls(tree)
            if _is_json_parse(call, from_json) and (name, scope) not in ALLOWED
        ]
    return found


def _modules() -> Iterator[tuple[str, str]]:
    for folder in SCANNED:
        for path in sorted((REPO / folder).rglob("*.py")):
            yield str(path.relative_to(REPO)), path.read_text(encoding="utf-8")


def test_no_code_outside_driftline_report_parses_a_report() -> None:
    offenders = report_parsers(_modules())
    assert not offenders, (
        "load reports with driftline.report (DriftReport.load, ValidationReport.load, "
        "PerformanceReport.load, load_report), not with json: " + "; ".join(offenders)
    )


def test_every_allowed_function_exists_and_still_parses_json() -> None:
    sources = dict(_modules())
    for module, function in ALLOWED:
        tree = ast.parse(sources[module])
        scopes = {scope for scope, call in _calls(tree) if _is_json_parse(call, set())}
        assert function in scopes, f"{module}: {function} no longer parses JSON; drop it"


def test_the_scan_finds_report_parsing_in_every_shape() -> None:
    shapes = {
        "read_text": "import json\ndef _load(path):\n    return json.loads(open(path).read())\n"
        'def outcome(run):\n    return _load(run.outputs["drift_report"].path)\n',
        "handle": 'import json\ndef read(path):\n    """A report."""\n'
        "    with open(path) as f:\n        return json.load(f)\n",
        "imported": "from json import loads as parse\n"
        'def read(text):\n    return parse(text)["kind"]  # validation_report\n',
        "pandas": 'import pandas as pd\nREPORT = "performance_report.json"\n'
        "frame = pd.read_json(REPORT)\n",
        "method": "import json\nclass Reader:\n    def report(self, text):\n"
        "        return json.loads(text)\n",
    }
    found = report_parsers((f"src/driftline/{name}.py", text) for name, text in shapes.items())
    assert found == [
        "src/driftline/read_text.py:3 in _load",
        "src/driftline/handle.py:5 in read",
        "src/driftline/imported.py:3 in read",
        "src/driftline/pandas.py:3 in <module>",
        "src/driftline/method.py:4 in Reader.report",
    ]
    assert report_parsers([("src/driftline/report/drift.py", shapes["handle"])]) == []
