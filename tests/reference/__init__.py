"""The upstream schemas and examples the tests check against, vendored in this folder.

SOURCES.md names the upstream file, commit and licence of each. `DRIFTLINE_REFERENCE_DIR`
points the tests at another copy with the same layout (e.g. a newer upstream snapshot).
"""

import os
from pathlib import Path

REFERENCE = Path(os.environ.get("DRIFTLINE_REFERENCE_DIR") or Path(__file__).resolve().parent)
if not REFERENCE.is_dir():
    raise RuntimeError(f"DRIFTLINE_REFERENCE_DIR={REFERENCE} is not a folder")
