"""MLflow model references: `models:/NAME@ALIAS`, `models:/NAME/VERSION`, `runs:/RUN_ID/PATH`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from driftline.errors import InputError

FORMS = "models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN_ID/PATH"


@dataclass(frozen=True)
class MlflowRef:
    """A parsed reference: a registered model's version (by `alias` or `version`) or a run."""

    name: str = ""
    alias: str = ""
    version: str = ""
    run_id: str = ""
    path: str = ""

    def __str__(self) -> str:
        if self.run_id:
            return f"runs:/{self.run_id}/{self.path}".rstrip("/")
        if self.alias:
            return f"models:/{self.name}@{self.alias}"
        return f"models:/{self.name}/{self.version}"


def parse_mlflow_ref(text: str) -> MlflowRef:
    """Parse one of the three forms; anything else is an InputError naming them."""
    value = str(text).strip()
    if value.startswith("models:/"):
        rest = unquote(value[len("models:/") :]).strip("/")
        if "@" in rest:
            name, _, alias = rest.rpartition("@")
            if name and alias and "/" not in alias:
                return MlflowRef(name=name, alias=alias)
        else:
            name, _, version = rest.rpartition("/")
            if name and version.isdigit():
                return MlflowRef(name=name, version=version)
    elif value.startswith("runs:/"):
        run_id, _, path = value[len("runs:/") :].strip("/").partition("/")
        if run_id:
            return MlflowRef(run_id=run_id, path=path)
    raise InputError(
        f"model {value!r} is not an MLflow model reference; valid: {FORMS}", param="model"
    )
