"""Deploy a model with KServe: the InferenceService, applied and waited for."""

from driftline.deploy.inference_service import build_inference_service, storage_uri_of

__all__ = ["build_inference_service", "storage_uri_of"]
