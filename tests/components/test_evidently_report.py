"""render_evidently_report: Evidently's own page on bounded samples, saying how large they are."""

import re
from pathlib import Path

import pytest
from kfp import dsl
from kfp.dsl import Artifact, Dataset

from driftline.components.profile_baseline import profile_baseline
from driftline.components.render_evidently_report import render_evidently_report
from driftline.drift.evidently_report import write_evidently_report
from driftline.errors import InputError


def test_component_writes_a_self_contained_page_with_the_sample_sizes(
    kfp_local: Path, bike_years: tuple[Path, Path]
) -> None:
    @dsl.pipeline
    def evidently_page() -> int:
        reference = dsl.importer(artifact_uri=str(bike_years[0]), artifact_class=Dataset)
        current = dsl.importer(artifact_uri=str(bike_years[1]), artifact_class=Dataset)
        return render_evidently_report(
            current=current.output,
            reference=reference.output,
            max_rows=500,
            columns=["temp", "hum", "season", "cnt"],
        ).outputs["current_rows_used"]

    assert evidently_page().output == 500
    page = (next(kfp_local.iterdir()) / "render-evidently-report" / "report_html").read_text()
    assert "500 of 8,645 reference rows and 500 of 8,734 current rows" in page
    assert not re.findall(r"<script[^>]*\ssrc=", page)  # nothing fetched from the network
    assert "cnt" in page and "season" in page


def test_small_tables_are_used_whole(tmp_path: Path, bike_years: tuple[Path, Path]) -> None:
    sizes = write_evidently_report(
        str(bike_years[0]), str(bike_years[1]), tmp_path / "p.html", columns=["temp"]
    )
    assert (sizes.reference_used, sizes.current_used) == (8645, 8734)


def test_a_profile_is_not_a_reference_for_evidently(
    kfp_local: Path, tmp_path: Path, bike_years: tuple[Path, Path]
) -> None:
    @dsl.pipeline
    def from_profile() -> Artifact:
        base = dsl.importer(artifact_uri=str(bike_years[0]), artifact_class=Dataset)
        return profile_baseline(dataset=base.output).outputs["profile"]

    profile = from_profile().output.path
    with pytest.raises(InputError, match="an Evidently report needs the reference table rows"):
        write_evidently_report(profile, str(bike_years[1]), tmp_path / "p.html")
    assert not (tmp_path / "p.html").exists()
    with pytest.raises(InputError, match="max_rows must be >= 1"):
        write_evidently_report(str(bike_years[0]), str(bike_years[1]), tmp_path / "p", max_rows=0)
