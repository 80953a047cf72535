"""Quality metrics of one set of rows (a window, a segment, a reference set)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from driftline.performance.classification import (
    ClassificationStats,
    probability_matrix,
    rank_metrics,
)
from driftline.performance.prepare import LABEL, PRED, score_name
from driftline.performance.regression import RegressionStats

Stats = ClassificationStats | RegressionStats


@dataclass(frozen=True)
class TargetSpec:
    """The task, its ordered classes and how score columns map to them."""

    task: str
    classes: tuple[str, ...] = ()
    positive_index: int = 1
    n_scores: int = 0

    def new_stats(self) -> Stats:
        if self.task == "regression":
            return RegressionStats()
        binary = len(self.classes) == 2
        return ClassificationStats(len(self.classes), self.positive_index if binary else None)

    def class_index(self, values: pa.Array | pa.ChunkedArray) -> np.ndarray:
        """Positions in `classes` of class labels (dictionary-encoded strings, no nulls)."""
        chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
        classes = pa.array(self.classes, pa.string())
        parts = [np.empty(0, np.int64)]
        for chunk in chunks:
            position = pc.index_in(chunk.dictionary, value_set=classes)
            lookup = np.asarray(position.to_numpy(zero_copy_only=False), dtype=np.int64)
            parts.append(lookup[np.asarray(chunk.indices.to_numpy(zero_copy_only=False))])
        return np.concatenate(parts)

    def scores(self, table: pa.Table) -> np.ndarray | None:
        """The probability matrix (rows x classes) of `table`, or None without scores."""
        if not self.n_scores:
            return None
        columns = [table[score_name(i)].to_numpy() for i in range(self.n_scores)]
        raw = np.column_stack(columns) if columns[0].size else np.empty((0, self.n_scores))
        return probability_matrix(raw, len(self.classes), self.positive_index)


def labelled(table: pa.Table) -> pa.Table:
    """The rows that have a label."""
    return table.filter(pc.is_valid(table[LABEL]))


def evaluate(rows: pa.Table, spec: TargetSpec) -> tuple[Stats, dict[str, float]]:
    """Mergeable statistics and all metrics of the labelled `rows`."""
    stats = spec.new_stats()
    if rows.num_rows == 0:
        return stats, {}
    if isinstance(stats, RegressionStats):
        stats.update(rows[LABEL].to_numpy(), rows[PRED].to_numpy())
        return stats, stats.metrics()
    y_true = spec.class_index(rows[LABEL])
    y_pred = spec.class_index(rows[PRED])
    proba = spec.scores(rows)
    stats.update(y_true, y_pred, proba, spec.positive_index)
    metrics = stats.metrics()
    if proba is not None:
        metrics.update(rank_metrics(y_true, proba, spec.positive_index))
    return stats, metrics
