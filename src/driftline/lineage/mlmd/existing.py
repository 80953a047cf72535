"""Check, without writing a byte, that a SQLite file is an ML Metadata store before reading it.

MLMD's own open creates a missing file and adds its tables to any SQLite database it is
given; a reader must refuse both instead, with a message that says what was expected.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from driftline.errors import InputError

MLMD_TABLE = "MLMDEnv"  # holds the schema version; every MLMD database has it
HOW_TO_CREATE = (
    "a store is created by its first write: the record_baseline or record_monitoring_result "
    "component, driftline demo, or driftline.lineage.open_store(uri) in Python"
)


def check_sqlite_store(path: str, where: str) -> None:
    """Raise `InputError` unless `path` is an existing SQLite file holding MLMD tables."""
    file = Path(path)
    if not file.exists():
        shown = "" if file.is_absolute() else f" ({file.resolve()})"
        raise InputError(
            f"`store` {where}{shown} does not exist, and reading never creates one: give the "
            f"path of an ML Metadata SQLite file ({HOW_TO_CREATE})",
            param="store",
        )
    if file.is_dir():
        raise InputError(
            f"`store` {where} is a folder; give the path of an ML Metadata SQLite file",
            param="store",
        )
    tables = _tables(file, where)
    if MLMD_TABLE not in tables:
        found = ", ".join(sorted(tables)[:8]) + (", ..." if len(tables) > 8 else "")
        raise InputError(
            f"`store` {where} is not an ML Metadata store: an SQLite database without MLMD "
            f"tables ({'tables: ' + found if tables else 'no tables'}), left unchanged: give "
            f"the path of an ML Metadata SQLite file ({HOW_TO_CREATE})",
            param="store",
        )


def _tables(file: Path, where: str) -> set[str]:
    """The table names of the SQLite database `file`, opened read-only."""
    if not os.access(file, os.R_OK):
        raise InputError(f"`store` {where} is not readable (permissions)", param="store")
    try:
        with closing(sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(
            f"`store` {where} is not an ML Metadata store: not an SQLite database ({exc}). "
            "Give the path of an ML Metadata SQLite file",
            param="store",
        ) from None
    return {name for (name,) in rows}
