#!/usr/bin/env bash
# The rest of `make demo` after validation: history, forms, deadlines, statistics. A step
# that needs a system tool which is missing (LibreOffice, a Chinese font) is skipped, saying
# why; everything else still runs.
set -euo pipefail
BIN="$1"; OUT="$2"
mkdir -p "$OUT"
skipped=()
# The sample records get a scripted git history (changes, reviews, approvals by the people
# of the roster) in a scratch repository, so the forms show real revisions: CC-2026-0001
# released as A then B, 8D-2026-0001 a draft of B whose approvals went stale.
"$BIN/python" scripts/demo_history.py --out "$OUT/demo-repo" --quiet
pdf=()  # PDF copies too when LibreOffice and a Chinese font are there
ready='import sys
from qmsdoc.errors import QmsdocError
from qmsdoc.render.pdf import check_ready
try:
    check_ready()
except QmsdocError as exc:
    sys.exit(str(exc).split(";")[0])'
if why=$("$BIN/python" -c "$ready" 2>&1); then
  pdf=(--pdf)
else
  skipped+=("PDF copies of the forms: $why")
fi
echo "\$ qmsdoc render --all --out $OUT ${pdf[*]+"${pdf[*]}"}"
"$BIN/qmsdoc" --repo "$OUT/demo-repo" render --all --out "$OUT" ${pdf[@]+"${pdf[@]}"}
echo "\$ qmsdoc render CC-2026-0001 --at A --out $OUT/revision-A"
"$BIN/qmsdoc" --repo "$OUT/demo-repo" render CC-2026-0001 --at A --out "$OUT/revision-A"
echo "\$ qmsdoc render 8D-2026-0001 --lang en --out $OUT/en ${pdf[*]+"${pdf[*]}"}"
"$BIN/qmsdoc" --repo "$OUT/demo-repo" render 8D-2026-0001 --lang en --out "$OUT/en" \
  ${pdf[@]+"${pdf[@]}"}
# Deadline clocks and the monthly complaint statistics. "Now" is fixed to the sample records'
# time, so the demo shows the same overdue clocks whenever it runs; `due` exits 1 when
# something is overdue (the samples are, on purpose), any other failure stops the demo.
TODAY="${QMSDOC_TODAY:-2026-11-21}"
echo "\$ qmsdoc due --today $TODAY"
"$BIN/qmsdoc" --repo . due --today "$TODAY" || [ $? -eq 1 ]
echo "\$ qmsdoc report complaints --month 2026-11 --out $OUT"
status=0
report_fmt=()
report=$("$BIN/qmsdoc" --repo . report complaints --month 2026-11 --out "$OUT" --today "$TODAY" 2>&1) \
  || status=$?
echo "$report"
if [ $status -eq 2 ] && grep -q "no font with Chinese characters" <<<"$report"; then
  report_fmt=(--format xlsx)  # the workbook has no charts: it needs no font
  "$BIN/qmsdoc" --repo . report complaints --month 2026-11 --out "$OUT" --today "$TODAY" \
    "${report_fmt[@]}"
  skipped+=("the Word statistics report (its charts): no font with Chinese characters")
elif [ $status -ne 0 ]; then
  exit $status
fi
# The reminders the scheduled CI job would send (no channel is configured in the sample
# qmsdoc.yaml: the e-mails are printed as they would go out, nothing is sent).
echo "\$ qmsdoc notify --today $TODAY --within 7 --dry-run"
"$BIN/qmsdoc" --repo . notify --today "$TODAY" --within 7 --dry-run
# The statistics of the other kinds, in the same frame (Word with charts only when the
# Chinese font is there, like the complaint report).
for kind in special-requirements contract-reviews 8d; do
  echo "\$ qmsdoc report $kind --month 2026-11 --out $OUT${report_fmt[*]+" ${report_fmt[*]}"}"
  "$BIN/qmsdoc" --repo . report "$kind" --month 2026-11 --out "$OUT" --today "$TODAY" \
    ${report_fmt[@]+"${report_fmt[@]}"}
done
if [ ${#skipped[@]} -gt 0 ]; then
  echo
  echo "make demo skipped, because a system tool is missing (bash scripts/setup-system.sh as root installs it):"
  printf '  - %s\n' "${skipped[@]}"
fi
echo
echo "The forms and reports are in $OUT/."
