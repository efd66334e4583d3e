#!/usr/bin/env bash
# The rest of `make demo` after validation: history, forms, deadlines, statistics.
set -euo pipefail
BIN="$1"; OUT="$2"
mkdir -p "$OUT"
# The sample records get a scripted git history (changes, reviews, approvals by the people
# of the roster) in a scratch repository, so the forms show real revisions: CC-2026-0001
# released as A then B, 8D-2026-0001 a draft of B whose approvals went stale.
"$BIN/python" scripts/demo_history.py --out "$OUT/demo-repo" --quiet
pdf=()  # PDF copies too when LibreOffice is installed
if command -v soffice >/dev/null 2>&1; then pdf=(--pdf); fi
echo "\$ qmsdoc render --all --out $OUT"
"$BIN/qmsdoc" --repo "$OUT/demo-repo" render --all --out "$OUT" ${pdf[@]+"${pdf[@]}"}
echo "\$ qmsdoc render CC-2026-0001 --at A --out $OUT/revision-A"
"$BIN/qmsdoc" --repo "$OUT/demo-repo" render CC-2026-0001 --at A --out "$OUT/revision-A"
# Deadline clocks and the monthly complaint statistics. "Now" is fixed to the sample records'
# time, so the demo shows the same overdue clocks whenever it runs; `due` exits 1 when
# something is overdue (the samples are, on purpose), any other failure stops the demo.
TODAY="${QMSDOC_TODAY:-2026-11-21}"
echo "\$ qmsdoc due --today $TODAY"
"$BIN/qmsdoc" --repo . due --today "$TODAY" || [ $? -eq 1 ]
echo "\$ qmsdoc report complaints --month 2026-11 --out $OUT"
"$BIN/qmsdoc" --repo . report complaints --month 2026-11 --out "$OUT" --today "$TODAY"
