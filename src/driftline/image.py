"""The one container image every driftline component runs in, and how users change it.

The published image is `ghcr.io/driftline/driftline:<package version>` (built and pushed
by the release workflow for amd64 and arm64). `DRIFTLINE_IMAGE` replaces it everywhere:
in components imported from `driftline.components`, in components loaded by name with
`driftline.components.load`, and in `driftline compile`'s output.
"""

from __future__ import annotations

import os

from driftline import __version__

IMAGE_ENV = "DRIFTLINE_IMAGE"
DEFAULT_REGISTRY = "ghcr.io/driftline"
PUBLISHED_IMAGE = f"{DEFAULT_REGISTRY}/driftline:{__version__}"


def configured_image() -> str:
    """The image components run in: $DRIFTLINE_IMAGE, else the published image."""
    return os.environ.get(IMAGE_ENV) or PUBLISHED_IMAGE
