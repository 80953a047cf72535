"""Running driftline's components with kfp.local: refuse the runner that cannot work.

`kfp.local.SubprocessRunner()` defaults to `use_venv=True`: each task runs in a new,
empty virtual environment. driftline's components run in the driftline image, which
has kfp and driftline installed, so they are built with `install_kfp_package=False`,
and in that empty environment every task fails with "No module named 'kfp'" after the
environment was built. kfp offers no hook to make that environment inherit this one,
so the components and pipelines check the runner when they are called and fail first,
with one line saying what to pass instead.
"""

from __future__ import annotations

from typing import Any, TypeVar

from driftline.errors import InputError

C = TypeVar("C")

VENV_RUNNER_MESSAGE = (
    "kfp.local.SubprocessRunner(use_venv=True) (its default) runs each task in an empty "
    "virtual environment without kfp and driftline, so driftline's components cannot run "
    "there: use kfp.local.SubprocessRunner(use_venv=False) to run them in this environment, "
    "or kfp.local.DockerRunner() to run them in the driftline image"
)


def check_local_runner() -> None:
    """InputError when a call runs locally with a SubprocessRunner that builds a venv.

    Calls inside a pipeline definition only build the pipeline's graph and pass.
    """
    from kfp.dsl import pipeline_context
    from kfp.local import config

    if pipeline_context.Pipeline.get_default_pipeline() is not None:
        return
    runner = getattr(config.LocalExecutionConfig.instance, "runner", None)
    if isinstance(runner, config.SubprocessRunner) and runner.use_venv:
        raise InputError(VENV_RUNNER_MESSAGE, param="runner")


class _ChecksLocalRunner:
    """Mixed into a KFP component's class: check the local runner before each call."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        check_local_runner()
        return super().__call__(*args, **kwargs)  # type: ignore[misc]


_CHECKED: dict[type, type] = {}


def refuse_venv_runner(component: C) -> C:
    """A copy of `component` (a KFP component or pipeline) that calls `check_local_runner`
    first.

    The copy is an instance of a subclass of the component's KFP class with the same
    state, so the compiler and kfp.local treat it as the original.
    """
    kind = type(component)
    if issubclass(kind, _ChecksLocalRunner):
        return component
    if kind not in _CHECKED:
        _CHECKED[kind] = type(
            kind.__name__, (_ChecksLocalRunner, kind), {"__module__": kind.__module__}
        )
    checked: C = object.__new__(_CHECKED[kind])
    vars(checked).update(vars(component))
    return checked
