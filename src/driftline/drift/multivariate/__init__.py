"""Multivariate (dataset-level) drift: methods that look at all columns together.

Per-column tests miss drift that lives between columns, such as a correlation that changes
while every column's own distribution stays the same. Two methods look at the rows:

- `classifier`: a gradient-boosting domain classifier, cross-validated ROC AUC against its
  no-drift null (`classifier.py`);
- `pca`: the PCA reconstruction error of the current window against the held-out
  reference's (`pca.py`).

Both need rows of both sides (exact mode) and use at most `max_rows` rows per side, sampled
with a fixed seed, so results are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pyarrow as pa

from driftline.drift.multivariate.classifier import classifier_drift
from driftline.drift.multivariate.features import (
    DEFAULT_MAX_ROWS,
    MIN_ROWS,
    Features,
    encode,
    sample_rows,
)
from driftline.drift.multivariate.pca import PERMUTATIONS, pca_drift
from driftline.errors import InputError, UnknownNameError
from driftline.io import ColumnKind, infer_kinds
from driftline.report.drift import DriftReport
from driftline.report.multivariate import MultivariateDrift

MultivariateMethod = Callable[..., MultivariateDrift]
METHODS: dict[str, MultivariateMethod] = {"classifier": classifier_drift, "pca": pca_drift}
DEFAULT_ALPHA = 0.05


def parse_multivariate(methods: str | Sequence[str] | None) -> list[str]:
    """The multivariate method names of `methods` ("classifier,pca", a list, or None: none),
    in order, without repeats; one error naming a bad name and the valid ones."""
    if methods is None:
        return []
    names = methods.split(",") if isinstance(methods, str) else list(methods)
    chosen: list[str] = []
    for raw in names:
        name = str(raw).strip()
        if not name:
            continue
        if name not in METHODS:
            raise UnknownNameError("multivariate method", name, list(METHODS))
        if name not in chosen:
            chosen.append(name)
    return chosen


def check_multivariate(
    reference: pa.Table,
    current: pa.Table,
    methods: Sequence[str],
    *,
    columns: Sequence[str],
    kinds: dict[str, str] | None = None,
    alpha: float = DEFAULT_ALPHA,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> list[MultivariateDrift]:
    """Run each multivariate method of `methods` on `columns` of both tables.

    `columns` are numeric, categorical or boolean (the ones the per-column check uses, less
    the prediction). Each side is sampled to at most `max_rows` rows with `seed`; `alpha`
    is the false-alarm rate of each method's verdict.
    """
    chosen = parse_multivariate(methods)
    if not chosen:
        return []
    if not 0.0 < alpha < 1.0:
        raise InputError(f"`alpha` {alpha!r} must be in (0, 1)", param="alpha")
    if "pca" in chosen and alpha < 1 / (PERMUTATIONS + 1):
        raise InputError(
            f"`alpha` {alpha!r} is below 1/{PERMUTATIONS + 1}, the smallest p-value pca's "
            f"{PERMUTATIONS} permutations can give",
            param="alpha",
        )
    if max_rows < MIN_ROWS:
        raise InputError(f"`max_rows` {max_rows!r} must be at least {MIN_ROWS}", param="max_rows")
    if not columns:
        raise InputError(
            "multivariate drift needs at least one numeric, categorical or boolean feature "
            "column besides the prediction",
            param="columns",
        )
    overrides = {k: v for k, v in (kinds or {}).items() if k in columns}
    all_kinds = infer_kinds(reference.select(list(columns)).schema, overrides)
    features: Features = encode(
        reference,
        current,
        {c: ColumnKind(all_kinds[c]) for c in columns},
        max_rows=max_rows,
        seed=seed,
    )
    return [METHODS[name](features, alpha=alpha, seed=seed) for name in chosen]


def refuse_in_profile_mode(methods: Sequence[str]) -> None:
    """Raise if multivariate `methods` were asked for against a profile: they need rows."""
    if methods:
        raise InputError(
            f"multivariate drift ({', '.join(methods)}) needs the rows of both sides, and a "
            "profile holds only per-column statistics; give the reference data (exact mode), "
            "or with a reference profile the data as `reference_rows` (and `current_rows` when "
            "the current window is a profile), or leave out `multivariate`",
            param="multivariate",
        )


def with_multivariate(
    result: DriftReport,
    reference: pa.Table,
    current: pa.Table,
    methods: Sequence[str],
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> DriftReport:
    """`result` (the per-column drift report of the two tables' data) with the multivariate
    verdicts of `methods` on its checked columns, less the prediction column, each as the
    kind it was checked as."""
    if not methods:
        return result
    checked = [c for c in result.columns if c.name != result.prediction_column]
    found = check_multivariate(
        reference,
        current,
        methods,
        columns=[c.name for c in checked],
        kinds={c.name: c.kind for c in checked},
        max_rows=max_rows,
        seed=seed,
    )
    return result.model_copy(update={"multivariate": found})


__all__ = [
    "DEFAULT_MAX_ROWS",
    "METHODS",
    "MultivariateDrift",
    "check_multivariate",
    "classifier_drift",
    "parse_multivariate",
    "pca_drift",
    "refuse_in_profile_mode",
    "sample_rows",
    "with_multivariate",
]
