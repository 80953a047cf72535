"""Automatic method choice: the policies that pick a column's method from its shape.

A policy is a function `ColumnShape -> method name`, registered under the name users pass
as `method`: `auto` (the default) and `evidently`. Both modes describe a column with the
same `ColumnShape`, so a policy is written once and applies to exact and profile mode alike.

`auto` is driftline's own policy, chosen so that on same-distribution data each column
raises a false alarm at most at the nominal rate, at every size and for every column shape,
with no size at which the choice switches (bench/statistics.py measures it; docs/drift.md
gives the table): two-sample tests only, never a one-sample test against reference shares.
Numeric columns get `ks` (rank-based: no scale to estimate, any tail, ties only make it
conservative); where not every value is at hand (a large profile), `chi2_contingency` on
the profile's bins. Categorical and boolean columns get `chi2_contingency` (rare values
pooled until every expected count is at least 5).

`evidently` picks the method the way Evidently 0.7 does by default (legacy
`_get_default_stattest`), on the non-null finite values: reference of at most 1000 rows:
numeric with > 5 distinct values -> ks, else chi2 (3-5 values) or z (1-2 values);
categorical -> chi2 (> 2 values) or z. Larger references get distances, because at large
n p-value tests flag negligible shifts: numeric with > 5 distinct values -> wasserstein,
else jensenshannon; categorical -> jensenshannon. Distinct values are counted over both
sides together, and an integer column with at most 10 distinct reference values counts as
categorical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driftline.io import ColumnKind

AUTO = "auto"
EVIDENTLY = "evidently"
SMALL_REFERENCE_ROWS = 1000
FEW_NUMERIC_VALUES = 5
# Evidently 0.7 treats integer columns with at most this many distinct values as
# categorical when it picks a method; `auto` does the same so migrated users get its numbers.
INTEGER_CATEGORY_LIMIT = 10
# Tests that need every value: they cannot run on a profile's buckets.
RANK_TESTS = ("ks", "cramer_von_mises", "anderson", "mannw", "t_test", "ed", "es", "empirical_mmd")
# Policies distinguish distinct counts up to this value; counting stops there.
DISTINCT_CAP = INTEGER_CATEGORY_LIMIT + 1


@dataclass(frozen=True)
class ColumnShape:
    """What a policy knows about one column when it picks the column's method.

    `distinct` counts usable values over both sides, up to `DISTINCT_CAP` (a larger
    count is stored as `DISTINCT_CAP`: no policy tells such counts apart).
    `few_integers`: an integer column with at most `INTEGER_CATEGORY_LIMIT` distinct
    reference values.
    `every_value`: every value of both sides is at hand, so rank tests can run
    (always in exact mode; in profile mode only for small exact profiles).
    """

    kind: ColumnKind
    reference_rows: int
    distinct: int
    few_integers: bool = False
    every_value: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "distinct", min(self.distinct, DISTINCT_CAP))


Policy = Callable[[ColumnShape], str]


def auto_method(kind: ColumnKind, reference_size: int, distinct: int) -> str:
    """The method Evidently 0.7 would choose for a column of this kind and shape."""
    numeric = kind is ColumnKind.NUMERIC
    if reference_size <= SMALL_REFERENCE_ROWS:
        if numeric and distinct > FEW_NUMERIC_VALUES:
            return "ks"
        return "chi2" if distinct > 2 else "z"
    if numeric and distinct > FEW_NUMERIC_VALUES:
        return "wasserstein"
    return "jensenshannon"


def evidently_default(shape: ColumnShape) -> str:
    """`evidently`: Evidently 0.7's default choice (module docstring); where a rank test is
    chosen but not every value is at hand (a large profile), wasserstein, which Evidently
    picks for large references."""
    kind = ColumnKind.CATEGORICAL if shape.few_integers else shape.kind
    name = auto_method(kind, shape.reference_rows, shape.distinct)
    if name in RANK_TESTS and not shape.every_value:
        return "wasserstein"
    return name


def sound_default(shape: ColumnShape) -> str:
    """`auto`: driftline's policy (module docstring): `ks` for numeric columns whose every
    value is at hand, else `chi2_contingency`."""
    if shape.kind is ColumnKind.NUMERIC and shape.every_value:
        return "ks"
    return "chi2_contingency"


#: Method names that choose a method per column, and the policy behind each.
POLICIES: dict[str, Policy] = {AUTO: sound_default, EVIDENTLY: evidently_default}
