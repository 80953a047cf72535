"""A small pipeline written the way a user writes one, run end to end by kfp.local.

Once with the committed YAML (`kfp.components.load_component_from_file`), once loaded by
name (`driftline.components.load`), once with `from driftline.components import ...`, each
mixed with the user's own components
upstream (cutting the baseline out of the raw data) and downstream (reading our report).
Both must give what the library gives on the same files.
"""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from kfp import components, dsl
from kfp.dsl import Artifact, Dataset, Input, Output

from driftline.drift.run import run_drift
from tests.components.kfp_runs import task_dir, timestamped_bikes

ROOT = Path(__file__).resolve().parents[2]
YAML = ROOT / "components" / "yaml"
RUNTIME_IMAGE = components.load_component_from_file(str(YAML / "check_drift.yaml"))
# A user's own glue components can run in the driftline image: it has kfp, pandas, pyarrow.
USER_IMAGE = RUNTIME_IMAGE.component_spec.implementation.container.image
FEATURES = ["season", "temp", "hum", "windspeed", "cnt"]


@dsl.component(base_image=USER_IMAGE, install_kfp_package=False)
def keep_year(table: Input[Dataset], year: int, rows: Output[Dataset]) -> int:
    """The user's own step: keep one year of the raw table as Parquet."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    data = pq.read_table(table.path)
    kept = data.filter(pc.equal(pc.year(data.column("timestamp")), year))
    pq.write_table(kept.drop(["timestamp", "instant", "yr"]), rows.path)
    return kept.num_rows


@dsl.component(base_image=USER_IMAGE, install_kfp_package=False)
def summarize(report: Input[Artifact], rows: int) -> str:
    """The user's own step: one line from driftline's drift report."""
    import json
    from pathlib import Path

    document = json.loads(Path(report.path).read_text())
    drifted = sorted(c["name"] for c in document["columns"] if c["drift_detected"])
    return f"{rows} rows, drift {document['drift_detected']}: {', '.join(drifted)}"


def _yaml_components() -> SimpleNamespace:
    def load(name: str):  # type: ignore[no-untyped-def]
        return components.load_component_from_file(str(YAML / f"{name}.yaml"))

    return SimpleNamespace(
        load_window=load("load_window"),
        profile_baseline=load("profile_baseline"),
        check_drift=load("check_drift"),
    )


def _loaded_components() -> SimpleNamespace:
    from driftline.components import load

    return SimpleNamespace(
        load_window=load("load_window"),
        profile_baseline=load("profile_baseline"),
        check_drift=load("check_drift"),
    )


def _python_components() -> SimpleNamespace:
    from driftline.components import check_drift, load_window, profile_baseline

    return SimpleNamespace(
        load_window=load_window, profile_baseline=profile_baseline, check_drift=check_drift
    )


def _run_user_pipeline(ops: SimpleNamespace, raw: str) -> str:
    @dsl.pipeline(name="my-bike-monitoring")
    def my_bike_monitoring(source: str = raw, window_end: str = "2012-07-01T00:00:00Z") -> str:
        raw_table = dsl.importer(artifact_uri=source, artifact_class=Dataset)
        baseline = keep_year(table=raw_table.output, year=2011)
        profile = ops.profile_baseline(dataset=baseline.outputs["rows"], columns=FEATURES)
        window = ops.load_window(
            source_uri=source,
            window_end=window_end,
            window_length="14d",
            columns=["timestamp", *FEATURES],
        )
        drift = ops.check_drift(
            current=window.outputs["window"],
            reference=profile.outputs["profile"],
            timestamp_column="timestamp",
            method="psi",
        )
        return summarize(report=drift.outputs["report"], rows=window.outputs["rows"]).output

    return my_bike_monitoring().output


@pytest.mark.parametrize(
    "load",
    [_yaml_components, _loaded_components, _python_components],
    ids=["yaml", "load", "import"],
)
def test_user_pipeline_end_to_end(
    load, kfp_local: Path, tmp_path: Path, bike_hour_csv: Path
) -> None:  # type: ignore[no-untyped-def]
    raw = timestamped_bikes(bike_hour_csv, tmp_path / "raw.parquet")
    line = _run_user_pipeline(load(), str(raw))

    window = task_dir(kfp_local, "load-window") / "window"
    profile = task_dir(kfp_local, "profile-baseline") / "profile"
    expected = run_drift(
        current=str(window),
        reference_profile=str(profile),
        out_dir=tmp_path / "lib",
        timestamp_column="timestamp",
        method="psi",
    )
    drifted = sorted(c.name for c in expected.columns if c.drift_detected)
    assert line == f"{expected.current_rows} rows, drift {expected.drift_detected}: " + ", ".join(
        drifted
    )
    assert expected.current_rows > 300  # two weeks of hours
    assert json.loads((task_dir(kfp_local, "check-drift") / "report").read_text()) == (
        json.loads((tmp_path / "lib" / "drift_report.json").read_text())
    )
    assert [c.name for c in expected.columns] == FEATURES


def test_yaml_and_python_components_are_the_same_component() -> None:
    from driftline.components import check_drift, load

    loaded = components.load_component_from_file(str(YAML / "check_drift.yaml"))
    assert loaded.component_spec.inputs == check_drift.component_spec.inputs
    assert loaded.component_spec.outputs == check_drift.component_spec.outputs
    assert loaded.component_spec.implementation == check_drift.component_spec.implementation
    by_name = load("check_drift")
    assert by_name.component_spec.implementation == check_drift.component_spec.implementation


def test_load_names_the_valid_components() -> None:
    from driftline.components import load
    from driftline.errors import UnknownNameError

    with pytest.raises(
        UnknownNameError, match="unknown component 'check_drfit'; valid: check_drift"
    ):
        load("check_drfit")
    other = load("check_drift", image="registry.example.com/x:1")
    assert other.component_spec.implementation.container.image == "registry.example.com/x:1"


def test_package_exports_every_component_whatever_was_imported_first() -> None:
    """`from driftline.components import X` is the component, even after the module X was
    imported directly (which binds the package attribute X to the module)."""
    code = (
        "import importlib, driftline.components.check_drift\n"
        "from kfp.dsl.base_component import BaseComponent\n"
        "from driftline.components import check_drift\n"
        "from driftline.platforms.kfp.compile import discover_components\n"
        "import driftline.components as package\n"
        "assert isinstance(check_drift, BaseComponent), check_drift\n"
        "names = sorted(discover_components())\n"
        "helpers = {'IMAGE', 'load'}\n"
        "assert sorted(set(package.__all__) - helpers) == names, (package.__all__, names)\n"
        "for name in names:\n"
        "    assert getattr(package, name) is discover_components()[name], name\n"
        "print(len(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    helpers = 2  # image.py, loader.py
    assert int(done.stdout) == len(list((ROOT / "components").glob("[!_]*.py"))) - helpers
