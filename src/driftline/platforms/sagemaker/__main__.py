"""The monitoring container's entrypoint: `python -m driftline.platforms.sagemaker`."""

import sys

from driftline.platforms.sagemaker.container import main

sys.exit(main())
