"""Find and parse a report document: a file, a folder holding one, local or on an object store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from driftline.errors import DataSourceError

MAX_BYTES = 512 * 1024 * 1024  # a report is a summary; anything larger is not one


def read_document(source: str | Path, stem: str | None = None) -> tuple[Any, str]:
    """(parsed JSON, where it was read) of the report at `source`.

    A folder (a KFP artifact folder, or a CLI `--out` folder) is searched for `<stem>.json`,
    else for its only `*.json` file.
    """
    import pyarrow.fs as pafs

    from driftline.io.storage import resolve

    what = f"{stem.replace('_', ' ')}" if stem else "report"
    where = os.fspath(source)
    if not where:
        raise DataSourceError(f"no {what} given", param=stem or "report")
    filesystem, path = resolve(where)
    try:
        info = filesystem.get_file_info(path)
        if info.type == pafs.FileType.Directory:
            path = _document_in(filesystem, path, where, stem, what)
            where = f"{where.rstrip('/')}/{path.rsplit('/', 1)[-1]}"
        elif info.type != pafs.FileType.File:
            raise DataSourceError(f"{what} {where} does not exist", param=stem or "report")
        with filesystem.open_input_stream(path) as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataSourceError(
            f"cannot read {what} {where}: {exc}", param=stem or "report"
        ) from None
    if len(data) > MAX_BYTES:
        raise DataSourceError(f"{what} {where} is larger than 512 MiB", param=stem or "report")
    try:
        return json.loads(data.decode("utf-8")), where
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataSourceError(
            f"{what} {where} is not readable JSON: {exc}", param=stem or "report"
        ) from None


def _document_in(filesystem: Any, folder: str, where: str, stem: str | None, what: str) -> str:
    import pyarrow.fs as pafs

    found = filesystem.get_file_info(pafs.FileSelector(folder))
    names = sorted(
        Path(i.path).name
        for i in found
        if i.type == pafs.FileType.File and i.path.endswith(".json")
    )
    if stem and f"{stem}.json" in names:
        return f"{folder.rstrip('/')}/{stem}.json"
    if len(names) == 1:
        return f"{folder.rstrip('/')}/{names[0]}"
    expected = f"{stem}.json" if stem else "one report JSON file"
    raise DataSourceError(
        f"folder {where} holds {len(names)} JSON file(s) ({', '.join(names) or 'none'}); "
        f"expected {expected}",
        param=stem or "report",
    )
