#!/usr/bin/env bash
# Create or update the project's virtual environment (.venv) with everything the app and tests need.
# Safe to run repeatedly: it reinstalls only when pyproject.toml changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="${PYTHON:-python3}"
# A CPU build of torch keeps the install small; set SFT_TORCH="torch" (or a CUDA wheel spec) to choose another.
TORCH_SPEC="${SFT_TORCH:-torch==2.13.0}"
stamp="$VENV/.sft-explorer-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/sft-explorer" ]; then
  exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
pip_() { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@"; }
echo "Installing SFT Explorer and its dependencies into $VENV (first run takes a minute or two)..." >&2
if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  pip_ "$TORCH_SPEC" || pip_ torch
fi
pip_ -e ".[test,ray]"  # Ray: the optional embedding engine, installed here so its tests run
echo "$want" > "$stamp"
