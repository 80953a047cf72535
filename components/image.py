"""The one container image every driftline component runs in.

`DRIFTLINE_IMAGE` (read when the components are imported, e.g. by
`make compile IMAGE=registry.example.com/ml/driftline:0.1.0`) overrides it for
users with their own registry.
"""

from __future__ import annotations

import os

from driftline import __version__

DEFAULT_REGISTRY = "ghcr.io/driftline"
IMAGE = os.environ.get("DRIFTLINE_IMAGE") or f"{DEFAULT_REGISTRY}/driftline:{__version__}"
