"""driftline.lineage."""
