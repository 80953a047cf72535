#!/bin/sh
# The image's two install steps, shared by images/runtime/Dockerfile and
# ci/check_image_install.py, so the recipe CI proves is the recipe the image runs.
#
#   install.sh wheel   SOURCE_DIR WHEEL_DIR    build the driftline wheel (pinned build backend)
#   install.sh install WHEEL_DIR  CONSTRAINTS  install that wheel, every dependency pinned
#
# PYTHON selects the interpreter (default: python).
set -eu
PYTHON="${PYTHON:-python}"
here="$(cd "$(dirname "$0")" && pwd)"

case "${1:-}" in
  wheel)
    # PIP_CONSTRAINT also reaches pip's isolated build environment: setuptools/wheel are pinned too.
    PIP_CONSTRAINT="$here/build-constraints.txt" \
      "$PYTHON" -m pip wheel --no-deps --wheel-dir "$3" "$2"
    ;;
  install)
    constraints="$3"
    for wheel in "$2"/driftline-*.whl; do :; done
    if [ ! -f "$wheel" ]; then echo "install.sh: no driftline wheel in $2" >&2; exit 2; fi
    "$PYTHON" -m pip install --constraint "$constraints" "$wheel"
    ;;
  *)
    echo "usage: install.sh wheel SOURCE_DIR WHEEL_DIR | install.sh install WHEEL_DIR CONSTRAINTS" >&2
    exit 2
    ;;
esac
