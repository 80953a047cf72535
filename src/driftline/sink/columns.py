"""The type each payload column of a model is stored with.

Parquet files of one model are read as one dataset, so a column must keep one type in all
of them: one event sending `"a"` where the model's other events send numbers would make
every window that holds its batch unreadable. The first value of a column fixes its type
(per model and side, request or response); a later event that breaks it is refused before
it is acknowledged. The types survive restarts (`columns.json` in the state directory).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa

from driftline import storage
from driftline.errors import SchemaMismatchError
from driftline.inference_log.events import LoggedEvent
from driftline.inference_log.payload import Row
from driftline.sink.wal import write_durably

FILE_NAME = "columns.json"
ARROW_TYPES = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "string": pa.string()}


def value_type(value: Any) -> str | None:
    """The stored type of one cell: bool, int, float or string (None: fits any column)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "string"


class ColumnTypes:
    """`{model: {side: {column: type}}}`, checked and extended event by event."""

    def __init__(self, state_dir: str | Path) -> None:
        self.path = Path(state_dir) / FILE_NAME
        self.types: dict[str, dict[str, dict[str, str]]] = {}
        if self.path.exists():
            self.types = json.loads(storage.read_text(str(self.path), what="column types"))

    def check(self, event: LoggedEvent, rows: list[Row]) -> None:
        """Refuse `rows` if a value breaks its column's type; remember new columns (durably,
        before the event can be acknowledged)."""
        known = self.types.get(event.model, {}).get(event.kind, {})
        learned: dict[str, str] = {}
        for number, row in enumerate(rows):
            for column, value in row.items():
                given = value_type(value)
                if given is None:
                    continue
                stored = known.get(column) or learned.get(column)
                if stored is None:
                    learned[column] = given
                elif stored != given:
                    raise SchemaMismatchError(
                        f"{event.kind} column {column!r} of model {event.model!r} holds {stored} "
                        f"values, but row {number} of event {event.id[:80]!r} sends {given} "
                        f"{str(value)[:40]!r}; send {stored} values (or null) in this column",
                        param="body",
                    )
        if learned:
            side = self.types.setdefault(event.model, {}).setdefault(event.kind, {})
            side.update(learned)
            write_durably(self.path, json.dumps(self.types, sort_keys=True).encode())

    def arrow_types(self) -> dict[str, dict[str, pa.DataType]]:
        """Per model, the Arrow type of each column its requests or responses have sent."""
        return {
            model: {
                column: ARROW_TYPES[kind]
                for side in sides.values()
                for column, kind in side.items()
            }
            for model, sides in self.types.items()
        }
