"""The image of the components defined here (`driftline.image` explains the setting).

`IMAGE` is read when the components are imported: set `DRIFTLINE_IMAGE` first (e.g.
`make compile IMAGE=registry.example.com/ml/driftline:0.1.0`), or load shipped
components with `driftline.components.load`, which reads it at each call.
"""

from __future__ import annotations

from driftline.image import DEFAULT_REGISTRY, IMAGE_ENV, PUBLISHED_IMAGE, configured_image

IMAGE = configured_image()

__all__ = ["DEFAULT_REGISTRY", "IMAGE", "IMAGE_ENV", "PUBLISHED_IMAGE"]
