"""driftline.performance."""
