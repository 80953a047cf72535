"""Kubeflow Pipelines: the API client, compiling, publishing, and the components' glue.

- `api`: the one client of the KFP v2beta1 REST API (`KfpApiClient`).
- `uploads`, `runs`, `recurring`, `triggers`: idempotent uploads, experiments and runs,
  recurring runs by name (`ensure_recurring_run`, `disable_recurring_run`).
- `publish`: what `driftline upload | schedule | run` do.
- `compile`: discover and compile the components and pipelines.
- `local`: running components with `kfp.local`.
- `steps`: one glue function per component, between KFP artifacts and the library.

Nothing here imports kfp at module level.
"""
