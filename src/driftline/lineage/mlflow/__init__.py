"""The `LineageStore` interface on an MLflow tracking server (`mlflow+http(s)://...` URIs).

A model version (`models:/NAME@ALIAS`, `models:/NAME/VERSION`) or a run (`runs:/RUN_ID/PATH`)
leads to its source run; the run's training dataset input is the baseline, its metrics the
performance baseline. Monitoring results go back to that run (see `results`).
"""
