"""`driftline compile`: regenerate the component and pipeline YAML."""

from __future__ import annotations

from pathlib import Path

import click

from driftline.cli.app import main


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write <out>/components/*.yaml and <out>/pipelines/*.yaml. Default: the source "
    "checkout's components/yaml and pipelines/yaml (stale files there are removed).",
)
@click.option(
    "--image",
    default=None,
    envvar="DRIFTLINE_IMAGE",
    help="Container image the components run in (e.g. registry.example.com/ml/driftline:0.1.0). "
    "Default: DRIFTLINE_IMAGE, else the project's published image.",
)
def compile(out: Path | None, image: str | None) -> None:
    """Compile every component and pipeline to KFP YAML with the KFP compiler."""
    from driftline.platforms.kfp.compile import compile_all

    for item in compile_all(out, image=image or None):
        click.echo(f"{item.kind:9} {item.name:32} {item.path}")
