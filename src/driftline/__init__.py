"""driftline: monitor ML models in production on Kubeflow Pipelines."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("driftline")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"

__all__ = ["__version__"]
