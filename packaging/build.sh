#!/usr/bin/env bash
# Build the one-folder desktop bundle into dist/sft-explorer/ and smoke-test it on the demo dataset.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python -m pip install --quiet "pyinstaller>=6.5"
rm -rf build/sft-explorer dist/sft-explorer
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build packaging/sft-explorer.spec
du -sh dist/sft-explorer
QT_QPA_PLATFORM=offscreen SFT_EXPLORER_HOME="$(mktemp -d)" \
  dist/sft-explorer/sft-explorer dist/sft-explorer/_internal/resources/demo/demo.jsonl --screenshot dist/smoke.png
echo "bundle built and smoke-tested: dist/smoke.png"
