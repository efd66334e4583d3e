#!/usr/bin/env bash
# The rest of `make demo` after validation: render the forms (once rendering exists).
set -euo pipefail
BIN="$1"; OUT="$2"
mkdir -p "$OUT"
if "$BIN/qmsdoc" render --help >/dev/null 2>&1; then
  "$BIN/qmsdoc" --repo . render --all --out "$OUT"
fi
