"""driftline.profile."""
