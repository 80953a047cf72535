"""driftline.demo."""
