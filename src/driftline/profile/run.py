"""Profile a data source and save the profile: the one call of the CLI and the component."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from driftline.errors import EmptyDataError
from driftline.io import ColumnKind
from driftline.profile.builder import profile_source
from driftline.profile.dataset import DatasetProfile
from driftline.profile.window import profile_window


def write_profile(
    source: str,
    out: str | Path,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str | ColumnKind] | None = None,
    recorded: str | Path | None = None,
    finish: Callable[[DatasetProfile], DatasetProfile] | None = None,
) -> DatasetProfile:
    """Profile `source` in one streaming pass and save it atomically to `out`.

    With `recorded` (a profile saved earlier, e.g. found through the model's lineage)
    that profile is checked and reused instead, without reading `source`. An empty
    source is an error (a baseline needs rows) and writes nothing. `finish` completes a
    new profile before it is saved (e.g. `driftline.drift.baseline.calibrate_baseline`).
    """
    if recorded:
        reused = DatasetProfile.load(recorded)
        reused.save(out)
        return reused
    profile = profile_source(
        source, format=format, columns=columns or None, kinds=dict(kinds) if kinds else None
    )
    if profile.row_count == 0:
        raise EmptyDataError(f"{source} holds no rows; nothing to profile", param="source")
    if finish is not None:
        profile = finish(profile)
    profile.save(out)
    return profile


def write_window_profile(
    source: str,
    baseline: str | Path | DatasetProfile,
    out: str | Path,
    *,
    format: str | None = None,
    columns: Sequence[str] | None = None,
) -> DatasetProfile:
    """Profile the window `source` like `baseline` (a profile or its path) and save it
    atomically to `out`: the one pass over a window that validation and drift share."""
    like = baseline if isinstance(baseline, DatasetProfile) else DatasetProfile.load(baseline)
    profile = profile_window(source, like, format=format, columns=columns or None)
    profile.save(out)
    return profile
