"""driftline.serving."""
