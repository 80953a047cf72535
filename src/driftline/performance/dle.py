"""Estimate regression quality before labels arrive: direct loss estimation (as NannyML's DLE).

A loss model, fit on the labelled reference, predicts each row's absolute error from the
feature columns and the model's prediction (`trees.py`: least squares boosting of |error|,
so it models the expected absolute error of rows like this one).

The loss model is fit on 75 % of the reference; the other 25 % (held out) scale it: with m
the modelled errors of a window, and sums over the held-out rows,
    MAE = mean(m) * sum|error| / sum m,    MSE = mean(m^2) * sum error^2 / sum m^2,
RMSE = sqrt(MSE). The held-out scale removes the loss model's overall bias; the estimate is
exact when |error| = s(x) * r with r independent of x (the error's size depends on the row,
its shape does not) and the loss model finds s up to a factor.

The interval is the 2.5-97.5 % range over `DRAWS` simulated windows. Each draw first
resamples the held-out rows (a bootstrap: the scale as uncertain as the held-out rows make
it, as CBPE draws its calibration), then gives every row of the window a ratio
|error| / modelled error drawn from the resampled rows: the realized error varies by the
rows' noise and the estimate by the scale's, and the interval holds both. What no interval
holds: a relation between features and error that changed since the reference (concept
drift), and feature values outside the reference, where the trees extrapolate flat.

Estimated: MAE, RMSE (MSE = RMSE^2). Not estimated: MAPE (it divides by the unknown label),
R2 (it needs the variance of the unknown labels of the window), mean error (a model of the
error's size does not know its sign).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.errors import InputError
from driftline.performance.trees import BoostedTrees

METRICS = ("mae", "rmse")
HOLDOUT = 0.25
HOLDOUT_STREAM = 0xD1E  # the held-out rows are drawn apart from any seed a caller uses
MIN_REFERENCE_ROWS = 100
KEPT_ROWS = 2000
MAX_CATEGORIES = 1000
SIZE_GROUPS = 10
SIZE_GROUP_ROWS = 100
DRAWS = 200
LEVEL = 0.95
PREDICTION = "<prediction>"  # the model's prediction, the loss model's last input


@dataclass(frozen=True)
class Feature:
    """One input of the loss model: a numeric column, or a text column by category code."""

    name: str
    categories: tuple[str, ...] | None = None

    @classmethod
    def of(cls, name: str, values: pa.ChunkedArray) -> Feature:
        """The feature of reference column `name`: its categories when it holds text."""
        kind = values.type.value_type if pa.types.is_dictionary(values.type) else values.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            distinct = pc.unique(values.cast(pa.string())).drop_null().to_pylist()
            if len(distinct) > MAX_CATEGORIES:
                raise InputError(
                    f"feature column {name!r} has {len(distinct)} distinct values in the "
                    f"reference; text features may have at most {MAX_CATEGORIES}",
                    param="feature_columns",
                )
            return cls(name, tuple(sorted(distinct)))
        if not (
            pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
        ):
            raise InputError(
                f"feature column {name!r} has type {values.type}; loss estimation takes "
                f"numbers, booleans or text",
                param="feature_columns",
            )
        return cls(name)

    def encode(self, values: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """Float values; a null, a NaN or a category unseen in the reference is NaN."""
        if self.categories is None:
            try:
                floats = pc.cast(values, pa.float64())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InputError(
                    f"feature column {self.name!r} has type {values.type}; the reference "
                    f"held numbers",
                    param="feature_columns",
                ) from None
            out = np.asarray(floats.to_numpy(zero_copy_only=False), dtype=np.float64)
            return np.where(np.isfinite(out), out, np.nan)
        text = pc.cast(values, pa.string())
        codes = pc.index_in(text, value_set=pa.array(self.categories, pa.string()))
        return np.asarray(codes.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def design(
    features: Sequence[Feature], columns: Sequence[Any], prediction: np.ndarray
) -> np.ndarray:
    """The loss model's input matrix: encoded feature columns, then the prediction."""
    encoded = [f.encode(c) for f, c in zip(features, columns, strict=True)]
    return (
        np.column_stack([*encoded, prediction])
        if len(prediction)
        else np.empty((0, len(features) + 1))
    )


@dataclass(frozen=True)
class LossModel:
    """The modelled absolute error, and held-out rows that calibrate and bound it."""

    features: tuple[Feature, ...]
    trees: BoostedTrees
    floor: float  # smallest modelled error: a tiny share of the reference's mean error
    held_error: np.ndarray  # |error| of held-out rows (at most KEPT_ROWS of them)
    held_modelled: np.ndarray  # their modelled error
    holdout_rows: int
    fit_rows: int

    @classmethod
    def fit(
        cls,
        features: Sequence[Feature],
        columns: Sequence[Any],
        prediction: np.ndarray,
        label: np.ndarray,
        seed: int = 0,
    ) -> LossModel:
        """Fit on labelled reference rows (finite `prediction` and `label`)."""
        if len(label) < MIN_REFERENCE_ROWS:
            raise InputError(
                f"loss estimation needs at least {MIN_REFERENCE_ROWS} labelled reference rows, "
                f"got {len(label)}",
                param="reference",
            )
        x = design(features, columns, prediction)
        error = np.abs(prediction - label)
        rng = np.random.default_rng([seed, HOLDOUT_STREAM])
        held = rng.random(len(label)) < HOLDOUT
        trees = BoostedTrees.fit(x[~held], error[~held])
        floor = max(1e-3 * float(np.mean(error)), float(np.finfo(np.float64).tiny))
        kept = np.flatnonzero(held)
        if len(kept) > KEPT_ROWS:
            kept = np.sort(rng.choice(kept, KEPT_ROWS, replace=False))
        modelled = np.maximum(trees.predict(x[kept]), floor)
        return cls(
            tuple(features),
            trees,
            floor,
            error[kept],
            modelled,
            int(held.sum()),
            int((~held).sum()),
        )

    @property
    def size_edges(self) -> np.ndarray:
        """Inner edges of the size groups: quantiles of the held-out rows' modelled error,
        one group per SIZE_GROUP_ROWS kept rows (at most SIZE_GROUPS)."""
        groups = max(1, min(SIZE_GROUPS, len(self.held_modelled) // SIZE_GROUP_ROWS))
        return np.unique(np.quantile(self.held_modelled, np.arange(1, groups) / groups))

    def modelled(self, columns: Sequence[Any], prediction: np.ndarray) -> np.ndarray:
        """The modelled absolute error of each row."""
        x = design(self.features, columns, prediction)
        return np.maximum(self.trees.predict(x), self.floor)

    def estimate(
        self, columns: Sequence[Any], prediction: np.ndarray, seed: int = 0
    ) -> dict[str, Any]:
        """Estimated MAE and RMSE, with intervals, of rows with these feature `columns`
        (in `features` order) and predictions."""
        if len(prediction) == 0:
            return {}
        m = self.modelled(columns, prediction)
        edges = self.size_edges
        group = np.searchsorted(edges, m, side="right")
        held_group = np.searchsorted(edges, self.held_modelled, side="right")
        ratios = self.held_error / self.held_modelled
        members = [np.flatnonzero(held_group == g) for g in range(len(edges) + 1)]
        rows = [np.flatnonzero(group == g) for g in range(len(edges) + 1)]
        point_first = sum(m[r].sum() * ratios[k].mean() for r, k in zip(rows, members, strict=True))
        point_second = sum(
            (m[r] ** 2).sum() * (ratios[k] ** 2).mean() for r, k in zip(rows, members, strict=True)
        )
        n = len(m)
        point = {"mae": float(point_first / n), "rmse": float(np.sqrt(point_second / n))}
        rng = np.random.default_rng(seed)
        kept = len(ratios)
        uniform = np.full(kept, 1.0 / kept)
        drawn = np.empty((DRAWS, 2))
        for d in range(DRAWS):
            # a bootstrap of the held-out rows, then each row's ratio from its size group
            weights = rng.multinomial(self.holdout_rows, uniform).astype(np.float64)
            noisy = np.empty(n)
            for r, k in zip(rows, members, strict=True):
                if len(r):
                    w = weights[k] + 1e-12  # a group the bootstrap emptied draws evenly
                    noisy[r] = m[r] * ratios[k][rng.choice(len(k), size=len(r), p=w / w.sum())]
            drawn[d] = np.mean(noisy), np.sqrt(np.mean(noisy**2))
        tail = (1 - LEVEL) / 2 * 100
        low, high = np.percentile(drawn, [tail, 100 - tail], axis=0)
        return {
            "method": "dle",
            "rows": n,
            "draws": DRAWS,
            "level": LEVEL,
            "metrics": {
                name: {"value": point[name], "low": float(low[j]), "high": float(high[j])}
                for j, name in enumerate(METRICS)
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form recorded in the report and the baseline."""
        return {
            "method": "dle",
            "features": [
                {
                    "name": f.name,
                    "categories": list(f.categories) if f.categories is not None else None,
                }
                for f in self.features
            ],
            "trees": self.trees.to_dict(),
            "floor": self.floor,
            "held_error": self.held_error.tolist(),
            "held_modelled": self.held_modelled.tolist(),
            "holdout_rows": self.holdout_rows,
            "fit_rows": self.fit_rows,
        }

    @classmethod
    def from_dict(cls, document: Mapping[str, Any], feature_columns: Sequence[str]) -> LossModel:
        """Read a recorded loss model; its features must be `feature_columns`, in order."""
        try:
            if document["method"] != "dle":
                raise _not_a_loss_model(f"method {document['method']!r} is not 'dle'")
            features = tuple(
                Feature(f["name"], tuple(f["categories"]) if f["categories"] is not None else None)
                for f in document["features"]
            )
            names = [f.name for f in features]
            if names != list(feature_columns):
                raise InputError(
                    f"the recorded loss model was fit on feature columns {names}; pass those "
                    f"as feature_columns (got {list(feature_columns)})",
                    param="feature_columns",
                )
            trees = BoostedTrees.from_dict(document["trees"], len(features) + 1)
            error = np.asarray(document["held_error"], dtype=np.float64)
            modelled = np.asarray(document["held_modelled"], dtype=np.float64)
            floor, holdout = float(document["floor"]), int(document["holdout_rows"])
            if not (np.isfinite(floor) and floor > 0) or holdout < len(error):
                raise _not_a_loss_model("its floor must be > 0 and holdout_rows >= its rows")
            if not (len(error) == len(modelled) > 0) or not np.isfinite(error).all():
                raise _not_a_loss_model("its held-out rows must be finite and of equal lengths")
            if (error < 0).any() or not np.isfinite(modelled).all() or (modelled < floor).any():
                raise _not_a_loss_model("its held-out errors must be >= 0, modelled >= floor")
            fit_rows = int(document.get("fit_rows", 0))
            return cls(features, trees, floor, error, modelled, holdout, fit_rows)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise _not_a_loss_model(str(exc)) from None


def _not_a_loss_model(reason: str) -> InputError:
    """The error for a recorded loss model that cannot be read, saying why."""
    return InputError(
        f"the recorded loss model is not a driftline direct loss estimation model: {reason}",
        param="loss_model",
    )
