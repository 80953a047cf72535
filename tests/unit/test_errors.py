"""Errors join one hierarchy: what driftline raises on purpose is a driftline.errors class."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

from driftline import errors

SRC = Path(__file__).resolve().parents[2] / "src" / "driftline"
BUILTIN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception)
}  # not BaseException: SystemExit is how a component ends with its exit code
#: Exception classes defined elsewhere, with the reason (issue 11 moves them).
ELSEWHERE = {
    "sink/app.py:_TooLarge": "private control flow inside the sink's request handler",
}


def _sources() -> list[tuple[str, ast.AST]]:
    return [(str(p.relative_to(SRC)), ast.parse(p.read_text())) for p in sorted(SRC.rglob("*.py"))]


def test_library_code_raises_no_plain_builtin_errors() -> None:
    plain = []
    for name, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                called = node.exc.func
                if isinstance(called, ast.Name) and called.id in BUILTIN_ERRORS:
                    plain.append(f"{name}:{node.lineno} raise {called.id}(...)")
    assert plain == []


def test_exception_classes_live_in_errors_py() -> None:
    defined = []
    for name, tree in _sources():
        if name == "errors.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id in BUILTIN_ERRORS or b.id.endswith("Error"))
                for b in node.bases
            ):
                defined.append(f"{name}:{node.name}")
    assert sorted(set(defined) - set(ELSEWHERE)) == []


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (errors.InputError, ValueError),
        (errors.UnknownNameError, KeyError),
        (errors.UnsupportedTypeError, TypeError),
        (errors.StoreError, ConnectionError),
        (errors.PlatformError, ConnectionError),
        (errors.LineageError, LookupError),
    ],
)
def test_each_error_subclasses_its_builtin(error: type, builtin: type) -> None:
    assert issubclass(error, errors.DriftlineError) and issubclass(error, builtin)
