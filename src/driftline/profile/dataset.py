"""Dataset and column profiles: the versioned, mergeable `profile.json` document."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from driftline import storage
from driftline.errors import DataSourceError, InputError, SchemaMismatchError
from driftline.io.kinds import ColumnKind
from driftline.profile.calibration import Calibration
from driftline.profile.categorical import (
    DEFAULT_CATEGORY_CAP,
    DEFAULT_TOP_K,
    CategoricalSummary,
    TextSummary,
)
from driftline.profile.numeric import DEFAULT_EXACT_CAP, DEFAULT_RELATIVE_ACCURACY, NumericSummary
from driftline.report.files import to_json

SCHEMA_VERSION = "1.0"
#: Arrow types whose values are whole numbers (dates count whole days of 86400 seconds)
_WHOLE_NUMBER_TYPES = ("int", "uint", "bool", "date")
KIND = "profile"
# A profile document states its kind near its start (`to_dict` puts it second); JSON lines
# start a line with "{" where a (pretty-printed) profile does not.
_KIND_FIELD = re.compile(rb'"kind"\s*:\s*"profile"')


@dataclass(frozen=True)
class ProfileOptions:
    """How a profile summarizes columns; two profiles merge only if their options are equal."""

    relative_accuracy: float = DEFAULT_RELATIVE_ACCURACY
    #: epoch seconds are large numbers: 1e-5 relative is about 5 hours in 2026
    datetime_relative_accuracy: float = 1e-5
    exact_cap: int = DEFAULT_EXACT_CAP
    category_cap: int = DEFAULT_CATEGORY_CAP
    top_k: int = DEFAULT_TOP_K

    def __post_init__(self) -> None:
        for name in ("relative_accuracy", "datetime_relative_accuracy"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value < 1:
                raise InputError(f"{name} must be in (0, 1), got {value!r}", param=name)
        for name in ("exact_cap", "category_cap", "top_k"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InputError(f"{name} must be a whole number >= 0, got {value!r}", param=name)
        if self.top_k > self.category_cap:
            raise InputError(
                f"`top_k` ({self.top_k}) must not exceed `category_cap` ({self.category_cap})",
                param="top_k",
            )


@dataclass
class ColumnProfile:
    """Statistics of one column; exactly one of numeric/categorical/text is set per kind."""

    name: str
    kind: ColumnKind
    arrow_type: str
    count: int = 0  # rows, nulls included
    null_count: int = 0
    numeric: NumericSummary | None = None  # numeric and datetime (epoch seconds)
    categorical: CategoricalSummary | None = None  # categorical and boolean ("true"/"false")
    text: TextSummary | None = None

    @classmethod
    def empty(cls, name: str, kind: ColumnKind, arrow_type: str, options: ProfileOptions):
        """A profile of no rows for a column of `kind`."""
        column = cls(name, kind, arrow_type)
        if kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
            accuracy = (
                options.datetime_relative_accuracy
                if kind is ColumnKind.DATETIME
                else options.relative_accuracy
            )
            column.numeric = NumericSummary(
                accuracy, options.exact_cap, integral=arrow_type.startswith(_WHOLE_NUMBER_TYPES)
            )
        elif kind is ColumnKind.TEXT:
            column.text = TextSummary(options.relative_accuracy, options.exact_cap)
        else:
            column.categorical = CategoricalSummary(options.category_cap, options.top_k)
        return column

    @property
    def null_share(self) -> float:
        return self.null_count / self.count if self.count else 0.0

    def merge(self, other: ColumnProfile) -> None:
        """Add `other` (same name and kind) into this column profile."""
        if other.kind != self.kind:
            raise SchemaMismatchError(
                f"column {self.name!r} is {self.kind} in one profile and {other.kind} in the "
                "other; profiles merge only when kinds agree",
                param=self.name,
            )
        self.count += other.count
        self.null_count += other.null_count
        if self.numeric is not None and other.numeric is not None:
            self.numeric.merge(other.numeric)
        if self.categorical is not None and other.categorical is not None:
            self.categorical.merge(other.categorical)
        if self.text is not None and other.text is not None:
            self.text.merge(other.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "arrow_type": self.arrow_type,
            "count": self.count,
            "null_count": self.null_count,
            "numeric": self.numeric.to_dict() if self.numeric else None,
            "categorical": self.categorical.to_dict() if self.categorical else None,
            "text": self.text.to_dict() if self.text else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnProfile:
        return cls(
            name=str(data["name"]),
            kind=ColumnKind(data["kind"]),
            arrow_type=str(data["arrow_type"]),
            count=int(data["count"]),
            null_count=int(data["null_count"]),
            numeric=NumericSummary.from_dict(data["numeric"]) if data["numeric"] else None,
            categorical=(
                CategoricalSummary.from_dict(data["categorical"]) if data["categorical"] else None
            ),
            text=TextSummary.from_dict(data["text"]) if data["text"] else None,
        )


@dataclass
class DatasetProfile:
    """A baseline profile: row count and one `ColumnProfile` per column, in column order.

    `calibration`, when the baseline was built with calibrated thresholds, holds each
    column's null distribution of its drift score (a versioned field that readers without
    it ignore; profiles without it give fixed thresholds).
    """

    row_count: int = 0
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    options: ProfileOptions = field(default_factory=ProfileOptions)
    schema_version: str = SCHEMA_VERSION
    calibration: Calibration | None = None

    def to_dict(self) -> dict[str, Any]:
        document = {
            "schema_version": self.schema_version,
            "kind": KIND,
            "row_count": self.row_count,
            "options": asdict(self.options),
            "columns": [column.to_dict() for column in self.columns.values()],
        }
        if self.calibration is not None:
            document["calibration"] = self.calibration.to_dict()
        return document

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DatasetProfile:
        """Rebuild a profile from `to_dict()` output; raise DataSourceError if malformed."""
        if not isinstance(data, Mapping) or data.get("kind") != KIND:
            found = data.get("kind") if isinstance(data, Mapping) else type(data).__name__
            raise DataSourceError(
                f"not a driftline profile: kind is {found!r}, expected {KIND!r}", param="profile"
            )
        if data.get("schema_version") != SCHEMA_VERSION:
            raise DataSourceError(
                f"unsupported profile schema_version {data.get('schema_version')!r}; this "
                f"driftline reads {SCHEMA_VERSION!r}",
                param="profile",
            )
        try:
            columns = [ColumnProfile.from_dict(c) for c in data["columns"]]
            calibration = data.get("calibration")
            return cls(
                row_count=int(data["row_count"]),
                columns={c.name: c for c in columns},
                options=ProfileOptions(**data["options"]),
                calibration=Calibration.from_dict(calibration) if calibration else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataSourceError(
                f"corrupt profile document: {type(exc).__name__}: {exc}", param="profile"
            ) from exc

    def save(self, path: str | Path) -> str:
        """Write the profile as JSON, whole (a path or URI); returns where it went."""
        return storage.write_text(path, to_json(self.to_dict()))

    @classmethod
    def load(cls, path: str | Path) -> DatasetProfile:
        """Read a profile written by `save` (a path or URI), with one clear error if it is not
        one."""
        text = storage.read_text(path, what="profile")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataSourceError(
                f"profile {path} is not valid JSON: {exc}", param="profile"
            ) from exc
        try:
            return cls.from_dict(data)
        except DataSourceError as exc:
            raise DataSourceError(f"{path}: {exc}", param="profile") from exc


def merge_profiles(a: DatasetProfile, b: DatasetProfile) -> DatasetProfile:
    """The profile of the union of the rows profiled by `a` and `b` (inputs stay unchanged).

    Raises SchemaMismatchError when columns, kinds or options differ.
    """
    if a.options != b.options:
        raise SchemaMismatchError(
            f"profiles were built with different options: {a.options} vs {b.options}",
            param="options",
        )
    if list(a.columns) != list(b.columns):
        only_a = sorted(set(a.columns) - set(b.columns))
        only_b = sorted(set(b.columns) - set(a.columns))
        raise SchemaMismatchError(
            f"profiles have different columns: only in first {only_a}, only in second {only_b}"
            + ("" if only_a or only_b else " (same names, different order)"),
            param="columns",
        )
    merged = copy.deepcopy(a)
    merged.calibration = None  # a calibration describes one reference, not a union
    for name, column in merged.columns.items():
        column.merge(b.columns[name])
    merged.row_count += b.row_count
    return merged


def read_profile_if_any(path: str | Path) -> DatasetProfile | None:
    """The profile at `path` (a path or URI) when it is a JSON file that says it is a
    driftline profile, else None (a cheap sniff: a table is not read past its first bytes).

    Lets one input take either a table or a profile, reading and parsing it once.
    """
    if not storage.exists(path) or storage.is_dir(path):
        return None
    with storage.open_input(path, what="baseline") as handle:
        head = handle.read(4096)
        head = head.lstrip()
        json_lines = b"\n{" in head and not _KIND_FIELD.search(head)
        if not head.startswith(b"{") or json_lines:
            return None  # a table is not read further
        data = head + handle.read()
    try:
        document = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        return None
    try:
        return DatasetProfile.from_dict(document)
    except DataSourceError as exc:
        raise DataSourceError(f"{path}: {exc}", param="profile") from exc


def is_profile_file(path: str | Path) -> bool:
    """True when `path` (a path or URI) is a driftline profile (see `read_profile_if_any`)."""
    return read_profile_if_any(path) is not None
