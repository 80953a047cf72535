"""Mergeable performance state: per prediction window, what its labelled rows contribute.

A `PerformanceState` is built from joined rows batch by batch, in memory that does not grow
with them: per window, row counts, the regression sums of `RegressionStats`, or for
classification the confusion counts, log-loss sums and `ScoreCounts` per score column. The
states of disjoint parts of the rows (partitions of a window, batches) merge by adding, so
the merged state is the state of their concatenation (counts exactly; float sums to
rounding; rank counts exactly, see `score_counts`).

Classes are kept by name: a part need not see every class, and which class is positive is
decided only when the metrics are read (`WindowState.stats` with the final `TargetSpec`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline import storage
from driftline.errors import InputError
from driftline.performance.classification import ClassificationStats, rank_metrics_of_counts
from driftline.performance.evaluate import Stats, TargetSpec, labelled
from driftline.performance.prepare import BATCH_ROWS, LABEL, PRED, score_name
from driftline.performance.ranking import ROC_BINS
from driftline.performance.regression import RegressionStats, ScaledSum
from driftline.performance.score_counts import MAX_DISTINCT, ScoreCounts

STATE_VERSION = "1"
_EPS = float(np.finfo(np.float64).eps)


def _sorted_names(values: set[str]) -> list[str]:
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


@dataclass
class ClassCounts:
    """Confusion counts, log-loss sums and score counts of labelled rows, by class name."""

    classes: list[str]
    n_scores: int
    max_distinct: int = MAX_DISTINCT
    confusion: np.ndarray = field(init=False)
    log_sums: np.ndarray = field(init=False)  # [i, c]: sum of -log(score i), true class c
    log_complements: np.ndarray = field(init=False)  # [c]: sum of -log(1 - score 0)
    ranks: list[ScoreCounts] = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.classes)
        self.confusion = np.zeros((n, n), dtype=np.int64)
        self.log_sums = np.zeros((self.n_scores, n))
        self.log_complements = np.zeros(n)
        self.ranks = [ScoreCounts(n, self.max_distinct) for _ in range(self.n_scores)]

    def update(self, rows: pa.Table) -> None:
        """Add labelled rows (internal columns)."""
        y_true = _codes(rows[LABEL], self.classes)
        y_pred = _codes(rows[PRED], self.classes)
        n = len(self.classes)
        flat = np.bincount(y_true * n + y_pred, minlength=n * n)
        self.confusion += flat.reshape(n, n)
        for i in range(self.n_scores):
            score = rows[score_name(i)].to_numpy()
            clipped = np.clip(score, _EPS, 1 - _EPS)
            self.log_sums[i] += np.bincount(y_true, weights=-np.log(clipped), minlength=n)
            if self.n_scores == 1:
                self.log_complements += np.bincount(
                    y_true, weights=-np.log(1 - clipped), minlength=n
                )
            self.ranks[i].update(score, y_true)

    def aligned(self, classes: list[str]) -> ClassCounts:
        """These counts over `classes` (a superset of this part's classes)."""
        index = [classes.index(c) for c in self.classes]
        out = ClassCounts(classes, self.n_scores, self.max_distinct)
        out.confusion[np.ix_(index, index)] = self.confusion
        out.log_sums[:, index] = self.log_sums
        out.log_complements[index] = self.log_complements
        out.ranks = [r.aligned(index, len(classes)) for r in self.ranks]
        return out

    def merge(self, other: ClassCounts) -> ClassCounts:
        """The counts of both parts (a new object when the classes differ)."""
        if other.n_scores != self.n_scores:
            raise InputError(
                f"performance states with {self.n_scores} and {other.n_scores} score columns "
                f"do not merge; every partition must be scored with the same score_columns",
                param="score_columns",
            )
        merged = self
        if other.classes != self.classes:
            classes = _sorted_names({*self.classes, *other.classes})
            merged, other = self.aligned(classes), other.aligned(classes)
        merged.confusion += other.confusion
        merged.log_sums += other.log_sums
        merged.log_complements += other.log_complements
        for mine, theirs in zip(merged.ranks, other.ranks, strict=True):
            mine.merge(theirs)
        return merged

    def stats(
        self, spec: TargetSpec
    ) -> tuple[ClassificationStats, dict[str, float], dict[str, Any] | None]:
        """Statistics over `spec.classes`, the rank metrics and how they were computed
        (None without scores)."""
        unknown = sorted(set(self.classes) - set(spec.classes))
        if unknown:
            raise InputError(
                f"class(es) {unknown} are not among the classes {list(spec.classes)}",
                param="classes",
            )
        counts = self.aligned(list(spec.classes))
        stats = spec.new_stats()
        assert isinstance(stats, ClassificationStats)
        stats.confusion += counts.confusion
        if not self.n_scores:
            return stats, {}, None
        stats.scored = True
        positive = spec.positive_index
        if self.n_scores == 1:
            others = np.arange(len(spec.classes)) != positive
            stats.log_loss_sum = float(
                counts.log_sums[0, positive] + counts.log_complements[others].sum()
            )
            ranked = {positive: counts.ranks[0]}
        else:
            stats.log_loss_sum = float(np.trace(counts.log_sums))
            ranked = dict(enumerate(counts.ranks))
        if len(spec.classes) == 2:
            pos, neg = ranked[positive].positive_negative(positive)
            descending = ranked[positive].scores[::-1]  # type: ignore[index]
            bins = np.clip((descending * ROC_BINS).astype(np.int64), 0, ROC_BINS - 1)
            stats.roc_positive += np.bincount(bins, weights=pos, minlength=ROC_BINS).astype(
                np.int64
            )
            stats.roc_negative += np.bincount(bins, weights=neg, minlength=ROC_BINS).astype(
                np.int64
            )
        return stats, *rank_metrics_of_counts(ranked, positive, len(spec.classes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": self.classes,
            "n_scores": self.n_scores,
            "max_distinct": self.max_distinct,
            "confusion": self.confusion.tolist(),
            "log_sums": self.log_sums.tolist(),
            "log_complements": self.log_complements.tolist(),
            "ranks": [r.to_dict() for r in self.ranks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClassCounts:
        out = cls(list(data["classes"]), int(data["n_scores"]), int(data["max_distinct"]))
        n = len(out.classes)
        out.confusion = np.asarray(data["confusion"], dtype=np.int64).reshape(n, n)
        out.log_sums = np.asarray(data["log_sums"], dtype=np.float64).reshape(out.n_scores, n)
        out.log_complements = np.asarray(data["log_complements"], dtype=np.float64)
        out.ranks = [ScoreCounts.from_dict(r, n) for r in data["ranks"]]
        return out


def _dictionary_chunks(values: pa.ChunkedArray) -> list[pa.DictionaryArray]:
    """The chunks of a class column as dictionary arrays (the internal class type is one)."""
    return [
        chunk if isinstance(chunk, pa.DictionaryArray) else chunk.dictionary_encode()
        for chunk in values.chunks
    ]


def _codes(values: pa.ChunkedArray, classes: list[str]) -> np.ndarray:
    """Positions in `classes` of each row's class, looked up once per distinct value."""
    wanted = pa.array(classes, pa.string())
    parts = [np.empty(0, np.int64)]
    for chunk in _dictionary_chunks(values):
        position = pc.index_in(chunk.dictionary.cast(pa.string()), value_set=wanted)
        # dictionary values no row uses may be missing from `classes`: -1, never read
        lookup = np.asarray(pc.fill_null(position, -1).to_numpy(), dtype=np.int64)
        parts.append(lookup[np.asarray(chunk.indices.to_numpy(zero_copy_only=False))])
    return np.concatenate(parts)


def _class_names(values: pa.ChunkedArray) -> set[str]:
    """The distinct classes that occur in a class column (nulls left out)."""
    names: set[str] = set()
    for chunk in _dictionary_chunks(values):
        used = pc.unique(chunk.indices.drop_null())
        names.update(chunk.dictionary.cast(pa.string()).take(used).to_pylist())
    return names


def finite_rows(table: pa.Table, task: str | TargetSpec) -> tuple[pa.Table, int]:
    """The rows whose regression prediction and label (when present) are finite, and how
    many were not: +-inf turns every sum, so every metric, into inf or NaN."""
    task = task if isinstance(task, str) else task.task
    if task != "regression" or table.num_rows == 0:
        return table, 0
    finite = pc.and_(pc.is_finite(table[PRED]), pc.fill_null(pc.is_finite(table[LABEL]), True))
    kept = table.filter(finite)
    return kept, table.num_rows - kept.num_rows


@dataclass
class WindowState:
    """One prediction window's rows, labelled rows, and the statistics of the labelled."""

    rows: int = 0
    non_finite_rows: int = 0
    regression: RegressionStats | None = None
    classification: ClassCounts | None = None

    @property
    def labelled_rows(self) -> int:
        if self.regression is not None:
            return self.regression.rows
        if self.classification is not None:
            return int(self.classification.confusion.sum())
        return 0

    def merge(self, other: WindowState) -> None:
        """Add the state of another disjoint set of this window's rows."""
        self.rows += other.rows
        self.non_finite_rows += other.non_finite_rows
        if other.regression is not None:
            self.regression = self.regression or RegressionStats()
            self.regression.merge(other.regression)
        if other.classification is not None:
            mine = self.classification
            self.classification = (
                other.classification.aligned(other.classification.classes)
                if mine is None
                else mine.merge(other.classification)
            )

    def stats(self, spec: TargetSpec) -> tuple[Stats, dict[str, float], dict[str, Any] | None]:
        """Mergeable statistics over `spec`, the rank metrics and how they were computed."""
        if spec.task == "regression":
            stats = RegressionStats()
            if self.regression is not None:
                stats.merge(self.regression)
            return stats, {}, None
        if self.classification is None:
            return spec.new_stats(), {}, None
        return self.classification.stats(spec)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rows": self.rows, "non_finite_rows": self.non_finite_rows}
        if self.regression is not None:
            out["regression"] = _regression_dict(self.regression)
        if self.classification is not None:
            out["classification"] = self.classification.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WindowState:
        out = cls(int(data["rows"]), int(data["non_finite_rows"]))
        if "regression" in data:
            out.regression = _regression_from_dict(data["regression"])
        if "classification" in data:
            out.classification = ClassCounts.from_dict(data["classification"])
        return out


_SUMS = ("sum_error", "sum_abs_error", "sum_sq_error", "sum_abs_pct_error", "label_m2")


def _regression_dict(stats: RegressionStats) -> dict[str, Any]:
    out: dict[str, Any] = {"rows": stats.rows, "label_mean": stats.label_mean}
    for name in _SUMS:
        value: ScaledSum = getattr(stats, name)
        out[name] = [value.total, value.exponent]
    return out


def _regression_from_dict(data: dict[str, Any]) -> RegressionStats:
    stats = RegressionStats(rows=int(data["rows"]), label_mean=float(data["label_mean"]))
    for name in _SUMS:
        total, exponent = data[name]
        setattr(stats, name, ScaledSum(float(total), int(exponent)))
    return stats


@dataclass
class PerformanceState:
    """Window index -> `WindowState` of a set of joined rows; merges by window."""

    task: str
    n_scores: int = 0
    max_distinct: int = MAX_DISTINCT
    windows: dict[int, WindowState] = field(default_factory=dict)
    labels: dict[str, int] | None = None  # label rows matched, without value, duplicated
    parts: int = 1  # how many parts' states this one merges

    def add_window(self, index: int, rows: pa.Table) -> WindowState:
        """Add rows of window `index` (internal columns, no `_window`), batch by batch so
        memory holds one batch beside the states; returns the window's state."""
        window = self.windows.setdefault(index, WindowState())
        for batch in rows.to_batches(max_chunksize=BATCH_ROWS):
            window.merge(self.window_state(pa.Table.from_batches([batch])))
        return window

    def window_state(self, rows: pa.Table) -> WindowState:
        """The state of rows of one window (internal columns, no `_window`)."""
        state = WindowState(rows=rows.num_rows)
        if self.task == "regression":
            kept, state.non_finite_rows = finite_rows(rows, self.task)
            scored = labelled(kept)
            state.regression = RegressionStats()
            state.regression.update(scored[LABEL].to_numpy(), scored[PRED].to_numpy())
            return state
        scored = labelled(rows)
        seen = _class_names(scored[LABEL]) | _class_names(scored[PRED])
        counts = ClassCounts(_sorted_names(seen), self.n_scores, self.max_distinct)
        if scored.num_rows:
            counts.update(scored)
        state.classification = counts
        return state

    def merge(self, other: PerformanceState) -> None:
        """Add the state of another disjoint set of rows."""
        if (other.task, other.n_scores) != (self.task, self.n_scores):
            raise InputError(
                f"a {other.task} state with {other.n_scores} score columns does not merge "
                f"into a {self.task} state with {self.n_scores}",
                param="states",
            )
        for index, window in other.windows.items():
            self.windows.setdefault(index, WindowState()).merge(window)
        if other.labels is not None:
            mine = self.labels or {}
            self.labels = {k: mine.get(k, 0) + v for k, v in other.labels.items()}
        self.parts += other.parts

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `from_dict` reads it back exactly."""
        return {
            "state_version": STATE_VERSION,
            "task": self.task,
            "n_scores": self.n_scores,
            "max_distinct": self.max_distinct,
            "windows": {str(k): w.to_dict() for k, w in sorted(self.windows.items())},
            "labels": self.labels,
            "parts": self.parts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PerformanceState:
        if data.get("state_version") != STATE_VERSION:
            raise InputError(
                f"performance state version {data.get('state_version')!r}; this driftline "
                f"reads version {STATE_VERSION!r}",
                param="states",
            )
        windows = {int(k): WindowState.from_dict(w) for k, w in data["windows"].items()}
        return cls(
            data["task"],
            int(data["n_scores"]),
            int(data["max_distinct"]),
            windows,
            data.get("labels"),
            int(data.get("parts", 1)),
        )

    def save(self, path: str | Path) -> str:
        """Write the state as JSON (a path or URI); returns where it went."""
        return storage.write_text(path, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path: str | Path) -> PerformanceState:
        """Read a state written by `save`, with one clear error if it is not one."""
        text = storage.read_text(path, what="performance state")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path} is not a performance state (not JSON: {exc})", param="states"
            ) from None
        if not isinstance(data, dict) or "windows" not in data:
            raise InputError(
                f"{path} is not a performance state (no `windows`); give score_partition's "
                f"state outputs",
                param="states",
            )
        return cls.from_dict(data)
