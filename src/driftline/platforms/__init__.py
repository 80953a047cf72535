"""Adapters to the platforms driftline runs on; `kfp` is Kubeflow Pipelines."""
