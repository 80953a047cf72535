"""driftline.validation."""
