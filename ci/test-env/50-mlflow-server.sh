#!/usr/bin/env bash
# The MLflow tracking server the MLflow tests start (`mlflow server`, SQLite backend, local
# artifact root). Full `mlflow` does not resolve with the pinned set (constraints.txt), so it
# lives in its own virtual environment, MLFLOW_VENV (default .venv-mlflow). Silent when that
# environment already has this version; otherwise creates it, or stops with one line.
set -euo pipefail

MLFLOW_VERSION="${MLFLOW_VERSION:-3.17.2}"
MLFLOW_VENV="${MLFLOW_VENV:-.venv-mlflow}"
PYTHON="${PYTHON:-python3.11}"
NAME="$(basename "$0" .sh)"

installed() {
  [ -x "$MLFLOW_VENV/bin/mlflow" ] &&
    [ "$("$MLFLOW_VENV/bin/python" -c 'import mlflow; print(mlflow.__version__)' 2>/dev/null)" \
      = "$MLFLOW_VERSION" ]
}

installed && exit 0

command_line="$PYTHON -m venv $MLFLOW_VENV && $MLFLOW_VENV/bin/pip install mlflow==$MLFLOW_VERSION"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "$NAME: installing mlflow $MLFLOW_VERSION into $MLFLOW_VENV" >&2
if ! { "$PYTHON" -m venv "$MLFLOW_VENV" &&
  "$MLFLOW_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "mlflow==$MLFLOW_VERSION"; } >"$log" 2>&1 || ! installed; then
  echo "$NAME: could not install mlflow $MLFLOW_VERSION ($(grep -m1 -i error "$log" || tail -n1 "$log")); run: $command_line" >&2
  exit 1
fi
