"""How every driftline component is declared: `@component` above its function.

A lightweight Python component in the driftline image (`driftline.image`), with
`install_kfp_package=False` (the image has kfp), that refuses kfp.local's
venv-building runner up front (`driftline.platforms.kfp.local`).
"""

from collections.abc import Callable
from typing import Any

from kfp import dsl

from driftline.image import configured_image
from driftline.platforms.kfp.local import refuse_venv_runner


def component(func: Callable[..., Any]) -> Any:
    """The driftline component made of `func` (the image is read now: DRIFTLINE_IMAGE)."""
    return refuse_venv_runner(
        dsl.component(func, base_image=configured_image(), install_kfp_package=False)
    )
