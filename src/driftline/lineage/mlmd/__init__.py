"""The ML Metadata (MLMD) backend of the lineage store."""
