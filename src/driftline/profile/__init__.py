"""Baseline profiles: per-column statistics in one streaming pass, mergeable, versioned JSON.

`profile_source`/`profile_batches` build a `DatasetProfile`; `merge_profiles` combines the
profiles of two partitions into the profile of their union (counts and histograms exactly,
quantiles within the sketch's relative accuracy).
"""

from driftline.profile.builder import can_profile_as, profile_batches, profile_source
from driftline.profile.categorical import CategoricalSummary, TextSummary
from driftline.profile.dataset import (
    SCHEMA_VERSION,
    ColumnProfile,
    DatasetProfile,
    ProfileOptions,
    is_profile_file,
    merge_profiles,
    read_profile_if_any,
)
from driftline.profile.numeric import NumericSummary
from driftline.profile.run import write_profile, write_window_profile
from driftline.profile.window import adopted_kinds, check_window_profile, profile_window

__all__ = [
    "SCHEMA_VERSION",
    "CategoricalSummary",
    "ColumnProfile",
    "DatasetProfile",
    "NumericSummary",
    "ProfileOptions",
    "TextSummary",
    "adopted_kinds",
    "can_profile_as",
    "check_window_profile",
    "is_profile_file",
    "merge_profiles",
    "profile_batches",
    "profile_source",
    "profile_window",
    "read_profile_if_any",
    "write_profile",
    "write_window_profile",
]
