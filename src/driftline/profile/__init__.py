"""Baseline profiles: per-column statistics in one streaming pass, mergeable, versioned JSON.

`profile_source`/`profile_batches` build a `DatasetProfile`; `merge_profiles` combines the
profiles of two partitions into the profile of their union (counts and histograms exactly,
quantiles within the sketch's relative accuracy).
"""

from driftline.profile.builder import profile_batches, profile_source
from driftline.profile.categorical import CategoricalSummary, TextSummary
from driftline.profile.dataset import (
    SCHEMA_VERSION,
    ColumnProfile,
    DatasetProfile,
    ProfileOptions,
    merge_profiles,
)
from driftline.profile.numeric import NumericSummary

__all__ = [
    "SCHEMA_VERSION",
    "CategoricalSummary",
    "ColumnProfile",
    "DatasetProfile",
    "NumericSummary",
    "ProfileOptions",
    "TextSummary",
    "merge_profiles",
    "profile_batches",
    "profile_source",
]
