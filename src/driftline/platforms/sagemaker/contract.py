"""The Model Monitor container contract: the environment a monitoring job's container gets.

Documented variables: `dataset_format`, `dataset_source`, `output_path`, `start_time`,
`end_time`, `metric_time`, `publish_cloudwatch_metrics`, `sagemaker_endpoint_name`,
`sagemaker_monitoring_schedule_name`, and the baseline files `baseline_statistics` and
`baseline_constraints` (AWS's contract page spells it `baseline_constaints`: both are read).
driftline adds `driftline_header` (comma-separated feature names for headerless payloads).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from driftline.errors import InputError
from driftline.io.sagemaker_capture import CAPTURE_SIDES

ML_OUTPUT = Path("/opt/ml/output")  # processing contract: message file, CloudWatch metrics
FORMATS = ("sagemakerCaptureJson", "csv", "json", "parquet")


@dataclass(frozen=True)
class DatasetFormat:
    """`dataset_format`: captures (with the sides to read) or a batch table format."""

    kind: str
    sides: tuple[str, ...] = CAPTURE_SIDES
    header: bool = False
    lines: bool = True


@dataclass(frozen=True)
class MonitoringJob:
    """One monitoring job's settings, read from its environment."""

    dataset_source: Path
    output_path: Path
    dataset_format: DatasetFormat
    start_time: datetime | None
    end_time: datetime | None
    metric_time: datetime
    baseline_statistics: Path | None
    baseline_constraints: Path | None
    publish_cloudwatch_metrics: bool
    endpoint_name: str
    schedule_name: str
    header: tuple[str, ...] = ()


def _time(env: Mapping[str, str], name: str) -> datetime | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    cleaned = re.sub(r"\s+", "", text)  # the contract page's own example has "16: 20: 00Z"
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InputError(
            f"`{name}` {text!r} is not an ISO 8601 time, e.g. 2019-12-01T16:20:00Z", param=name
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_dataset_format(text: str) -> DatasetFormat:
    """The `dataset_format` JSON; empty means endpoint captures with both sides."""
    if not text.strip():
        return DatasetFormat("sagemakerCaptureJson")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict) or len(document) != 1:
        raise InputError(
            f"`dataset_format` {text!r} is not a JSON object with one of {', '.join(FORMATS)}",
            param="dataset_format",
        )
    kind, options = next(iter(document.items()))
    key = "sagemakerCaptureJson" if kind.lower() == "sagemakercapturejson" else kind
    if key not in FORMATS:
        raise InputError(
            f"`dataset_format` {kind!r} is not one of {', '.join(FORMATS)}", param="dataset_format"
        )
    options = options if isinstance(options, dict) else {}
    if key == "sagemakerCaptureJson":
        sides = tuple(options.get("captureIndexNames") or CAPTURE_SIDES)
        unknown = [s for s in sides if s not in CAPTURE_SIDES]
        if unknown:
            raise InputError(
                f"`dataset_format` captureIndexNames {unknown} are not among "
                f"{', '.join(CAPTURE_SIDES)}",
                param="dataset_format",
            )
        return DatasetFormat(key, sides=sides)
    return DatasetFormat(
        key, header=bool(options.get("header", False)), lines=bool(options.get("line", True))
    )


def _path(env: Mapping[str, str], *names: str) -> Path | None:
    value = next((env[n] for n in names if env.get(n, "").strip()), "")
    return Path(value.strip()) if value else None


def read_environment(env: Mapping[str, str]) -> MonitoringJob:
    """The job described by `env` (os.environ in the container); one error names what is bad."""
    source, output = _path(env, "dataset_source"), _path(env, "output_path")
    for name, value in (("dataset_source", source), ("output_path", output)):
        if value is None:
            raise InputError(f"`{name}` is not set; the container contract sets it", param=name)
    assert source is not None and output is not None
    start, end = _time(env, "start_time"), _time(env, "end_time")
    if start is not None and end is not None and start >= end:
        raise InputError(f"`start_time` {start} is not before `end_time` {end}", param="start_time")
    publish = env.get("publish_cloudwatch_metrics", "Disabled").strip().lower()
    if publish not in ("enabled", "disabled"):
        raise InputError(
            f"`publish_cloudwatch_metrics` {publish!r} is not Enabled or Disabled",
            param="publish_cloudwatch_metrics",
        )
    header = tuple(n.strip() for n in env.get("driftline_header", "").split(",") if n.strip())
    return MonitoringJob(
        dataset_source=source,
        output_path=output,
        dataset_format=parse_dataset_format(env.get("dataset_format", "")),
        start_time=start,
        end_time=end,
        metric_time=_time(env, "metric_time") or end or datetime.now(UTC),
        baseline_statistics=_path(env, "baseline_statistics"),
        baseline_constraints=_path(env, "baseline_constraints", "baseline_constaints"),
        publish_cloudwatch_metrics=publish == "enabled",
        endpoint_name=env.get("sagemaker_endpoint_name", ""),
        schedule_name=env.get("sagemaker_monitoring_schedule_name", ""),
        header=header,
    )
