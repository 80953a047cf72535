"""driftline.observability."""
