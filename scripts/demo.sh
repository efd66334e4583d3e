#!/usr/bin/env bash
# The rest of `make demo` after validation: render the forms (once rendering exists).
set -euo pipefail
BIN="$1"; OUT="$2"
mkdir -p "$OUT"
if "$BIN/qmsdoc" render --help >/dev/null 2>&1; then
  pdf=()  # PDF copies too when LibreOffice is installed
  if command -v soffice >/dev/null 2>&1; then pdf=(--pdf); fi
  "$BIN/qmsdoc" --repo . render --all --out "$OUT" ${pdf[@]+"${pdf[@]}"}
fi
