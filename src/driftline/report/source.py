"""Find and parse a report document: a file, a folder holding one, local or on an object store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from driftline import storage
from driftline.errors import DataSourceError

MAX_BYTES = 512 * 1024 * 1024  # a report is a summary; anything larger is not one


def read_document(source: str | Path, stem: str | None = None) -> tuple[Any, str]:
    """(parsed JSON, where it was read) of the report at `source`.

    A folder (a KFP artifact folder, or a CLI `--out` folder) is searched for `<stem>.json`,
    else for its only `*.json` file.
    """
    what = f"{stem.replace('_', ' ')}" if stem else "report"
    param = stem or "report"
    where = os.fspath(source)
    if not where:
        raise DataSourceError(f"no {what} given", param=param)
    if not storage.exists(where):
        raise DataSourceError(f"{what} {where} does not exist", param=param)
    if storage.is_dir(where):
        where = _document_in(where, stem)
    with storage.open_input(where, what=what) as stream:
        try:
            data = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise DataSourceError(f"cannot read {what} {where}: {exc}", param=param) from None
    if len(data) > MAX_BYTES:
        raise DataSourceError(f"{what} {where} is larger than 512 MiB", param=param)
    try:
        return json.loads(data.decode("utf-8")), where
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataSourceError(f"{what} {where} is not readable JSON: {exc}", param=param) from None


def _document_in(folder: str, stem: str | None) -> str:
    listed = storage.list_files(folder, recursive=False)
    names = sorted(e.uri.rsplit("/", 1)[-1] for e in listed if e.uri.endswith(".json"))
    if stem and f"{stem}.json" in names:
        return f"{folder.rstrip('/')}/{stem}.json"
    if len(names) == 1:
        return f"{folder.rstrip('/')}/{names[0]}"
    expected = f"{stem}.json" if stem else "one report JSON file"
    raise DataSourceError(
        f"folder {folder} holds {len(names)} JSON file(s) ({', '.join(names) or 'none'}); "
        f"expected {expected}",
        param=stem or "report",
    )
