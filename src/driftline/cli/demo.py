"""`driftline demo`: the local main job (scheduled monitoring of the demo model)."""

from __future__ import annotations

import click

from driftline.cli.app import main


@main.command("demo")
@click.option("--workdir", default=".demo", show_default=True, help="Where the demo writes.")
@click.option(
    "--windows", default=13, show_default=True, help="How many 4-week windows of 2012 to monitor."
)
def demo_command(workdir: str, windows: int) -> None:
    """Train the demo model, record it in a local MLMD, and monitor 2012 window by window.

    Runs the scheduled-monitoring pipeline's core with kfp.local on the UCI Bike Sharing
    data: no cluster, no services, nothing but this package.
    """
    from driftline.demo.runner import run_demo

    run_demo(workdir, windows=windows, echo=click.echo)
