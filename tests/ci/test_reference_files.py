"""tests/reference: the vendored upstream files and their SOURCES.md agree, file for file."""

from __future__ import annotations

import re
from pathlib import Path

import tests.reference

FOLDER = Path(tests.reference.__file__).parent
OWN = {"__init__.py", "SOURCES.md", "NOTICE", "LICENSE-Apache-2.0.txt"}


def listed() -> list[str]:
    """The first column of the per-file table in SOURCES.md."""
    text = (FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    table = text[text.index("## Files") :]
    return re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE)


def test_every_vendored_file_has_a_source_row_and_every_row_a_file():
    files = sorted(
        str(p.relative_to(FOLDER))
        for p in FOLDER.rglob("*")
        if p.is_file() and p.name not in OWN and "__pycache__" not in p.parts
    )
    rows = listed()
    assert len(rows) == len(set(rows)), "a file is listed twice in SOURCES.md"
    assert files == sorted(rows)


def test_the_tests_read_the_vendored_copy_by_default(monkeypatch):
    import importlib

    monkeypatch.delenv("DRIFTLINE_REFERENCE_DIR", raising=False)
    assert importlib.reload(tests.reference).REFERENCE == FOLDER
