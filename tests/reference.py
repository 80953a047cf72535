"""Where the real upstream formats are: ../shared/reference beside the repository.

(CI lays a copy of shared/ beside its clone, as the developers have it; a checkout kept
elsewhere can point DRIFTLINE_REFERENCE_DIR at it.)
"""

import os
from pathlib import Path

REFERENCE = Path(
    os.environ.get("DRIFTLINE_REFERENCE_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared" / "reference"
)
if not REFERENCE.is_dir():
    raise RuntimeError(
        f"upstream reference formats not found at {REFERENCE}; set DRIFTLINE_REFERENCE_DIR"
    )
