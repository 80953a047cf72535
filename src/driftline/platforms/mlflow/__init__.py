"""MLflow Model Registry: webhook deliveries, monitoring targets, and the monitoring setup that
follows an alias (recurring runs on KFP). The lineage store itself is `driftline.lineage.mlflow`."""
