"""`driftline sink` bad input: one error line, exit code 2, nothing started."""

from __future__ import annotations

from click.testing import CliRunner

from driftline.cli import main


def test_bad_schema_file_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(
        main, ["sink", "--out", str(tmp_path / "out"), "--schema", str(tmp_path / "nope.json")]
    )
    assert result.exit_code == 2
    assert result.output.startswith("error: schema file not found: ")
    assert not (tmp_path / "out").exists()


def test_bad_schema_content(tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text('{"features": "a,b"}')
    result = CliRunner().invoke(main, ["sink", "--out", str(tmp_path), "--schema", str(schema)])
    assert result.exit_code == 2
    assert "schema 'features' must be a list of names" in result.output


def test_out_is_required():
    result = CliRunner().invoke(main, ["sink"])
    assert result.exit_code == 2 and "--out" in result.output
