"""The common base of the report classes: schema version, one `load`, one `dump`.

A report document is a JSON object that states its `kind` and `schema_version`
("MAJOR.MINOR"). A reader accepts every minor version of the major version it knows (fields
it does not know are kept and written back) and refuses another major version.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from driftline.errors import DataSourceError, InputError
from driftline.report.files import ReportPaths, write_report
from driftline.report.source import read_document

ReportOut = str | Path | ReportPaths


def _nan_for_null(value: Any) -> Any:
    return math.nan if value is None else value


# A score that could not be computed is NaN in memory and null in JSON.
Score = Annotated[float, BeforeValidator(_nan_for_null)]


class Report(BaseModel):
    """A typed report document; subclasses set KIND and SCHEMA_VERSION."""

    model_config = ConfigDict(extra="allow")  # fields of newer minor versions survive

    KIND: ClassVar[str]
    SCHEMA_VERSION: ClassVar[str]
    #: Fields a document states that the class derives from the others.
    DERIVED: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def stem(cls) -> str:
        """The file name stem of the report: `<kind>_report`."""
        return f"{cls.KIND}_report"

    @classmethod
    def load(cls, source: str | Path) -> Self:
        """Read the report from a JSON file, a folder holding `<kind>_report.json` (a KFP
        artifact folder), or an object-store URI of either; one clear error if it is not one."""
        document, where = read_document(source, cls.stem())
        return cls.from_document(document, where)

    @classmethod
    def from_document(cls, document: Mapping[str, Any], where: str = "document") -> Self:
        """The report of a parsed document; `where` names it in errors."""
        if not isinstance(document, Mapping):
            raise DataSourceError(
                f"{cls.KIND} report {where} is a JSON {type(document).__name__}, not an object",
                param=f"{cls.KIND}_report",
            )
        found = document.get("kind")
        if found != cls.KIND:
            raise InputError(
                f"{where} is a {found!r} document, expected a {cls.KIND} report (kind: {cls.KIND})",
                param=f"{cls.KIND}_report",
            )
        check_version(document.get("schema_version"), cls.SCHEMA_VERSION, where)
        skip = ("kind", "schema_version", *cls.DERIVED)
        try:
            report = cls.model_validate({k: v for k, v in document.items() if k not in skip})
        except ValidationError as exc:
            raise InputError(
                f"{cls.KIND} report {where}: {_first_error(exc)}", param=f"{cls.KIND}_report"
            ) from None
        report.check_stated({k: document[k] for k in cls.DERIVED if k in document}, where)
        return report

    def check_stated(self, stated: dict[str, Any], where: str) -> None:
        """Refuse a document whose stated `DERIVED` values disagree with the derived ones."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: kind and this version's schema_version first, then the fields."""
        return {
            "schema_version": self.SCHEMA_VERSION,
            "kind": self.KIND,
            **self.model_dump(mode="python"),
        }

    def dump(self, out: ReportOut, *, html: str) -> ReportPaths:
        """Publish the report: `<kind>_report.json` and `.html` in folder `out`, or the two
        paths of a `ReportPaths` (e.g. two KFP output artifacts). Nothing is written when the
        document cannot be serialized."""
        return write_report(out, self.stem(), self.to_dict(), html)


def check_version(found: Any, current: str, where: str) -> None:
    """Refuse a document without a schema version, or of another major version."""
    if not isinstance(found, str) or not found.strip():
        raise InputError(
            f"{where} states no schema_version; expected {current}", param="schema_version"
        )
    major = found.split(".", 1)[0]
    if major != current.split(".", 1)[0]:
        raise InputError(
            f"{where} has schema_version {found!r}; this driftline reads "
            f"{current.split('.', 1)[0]}.x (writes {current})",
            param="schema_version",
        )


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "document"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    value = json.dumps(first.get("input"), default=str)
    value = value if len(value) <= 60 else value[:57] + "..."
    return f"field {where}: {first['msg']}, got {value}{more}"
