"""driftline.drift."""
