"""KFP components: thin `@dsl.component` wrappers over the driftline library.

Every component runs in `IMAGE` with `install_kfp_package=False`; its body
imports driftline and calls one library function.
"""

from driftline.components.image import IMAGE

__all__ = ["IMAGE"]
