from click.testing import CliRunner

from driftline.cli import main


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "driftline, version" in result.output
