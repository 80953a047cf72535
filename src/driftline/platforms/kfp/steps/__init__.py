"""One glue function per component: fill its output artifacts and return its outputs.

Each takes the KFP artifact objects duck-typed (`.path`, `.uri`, `.metadata`,
`.log_metric`), calls the library and returns a NamedTuple whose fields are the
component's returned outputs (`driftline.component_io` names them), so a component's
body is one call. Parameters a pipeline leaves unset arrive as None or as the empty
value of their type, and mean the same (`component_io.given`).
"""
