"""driftline.exits: the one error line and exit code shared by the CLI and the components."""

import pytest

from driftline.errors import EmptyDataError, LineageError, UnknownNameError
from driftline.exits import EXIT_BAD_INPUT, EXIT_INTERNAL, error_line, exit_code, exit_on_error


def test_bad_input_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended, exit_on_error():
        raise UnknownNameError("drift method", "kolmogorov", ["ks", "psi"])
    assert ended.value.code == EXIT_BAD_INPUT
    assert capsys.readouterr().err == "error: unknown drift method 'kolmogorov'; valid: ks, psi\n"


def test_other_driftline_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended, exit_on_error():
        raise LineageError("model 7 has no training run")
    assert ended.value.code == EXIT_INTERNAL
    assert capsys.readouterr().err == "error: model 7 has no training run\n"


def test_bugs_keep_their_exception(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ZeroDivisionError), exit_on_error():
        _ = 1 / 0
    assert capsys.readouterr().err == ""


def test_line_and_code_helpers() -> None:
    exc = EmptyDataError("current window has no rows")
    assert error_line(exc) == "error: current window has no rows"
    assert exit_code(exc) == EXIT_BAD_INPUT
