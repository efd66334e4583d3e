#!/usr/bin/env bash
# System tools the test suite uses. Missing ones are installed when possible (root + apt);
# tests that need a tool still missing afterwards are skipped with the reason.
set -uo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)  # SSH-signed approvals (tests/test_verify.py)
# Rendered forms checked in a real client (tests/test_render_pdf.py): LibreOffice, a CJK font,
# Times New Roman metrics (Liberation), and poppler's pdftotext to read the PDFs back.
office=0
command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || office=1
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list :lang=zh family 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "Liberation Serif" || need+=(fonts-liberation2)
if [ ${#need[@]} -eq 0 ] && [ $office = 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  if [ $office = 1 ]; then  # Debian 12+: the writer without the GUI; older: the full writer
    if apt-cache show libreoffice-writer-nogui >/dev/null 2>&1; then need+=(libreoffice-writer-nogui)
    else need+=(libreoffice-writer); fi
  fi
  echo "installing ${need[*]} ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || \
    echo "could not install ${need[*]}: the tests that need them will be skipped"
else
  [ $office = 1 ] && need+=(libreoffice-writer-nogui)
  echo "missing ${need[*]} and cannot install (not root or no apt-get): the tests that need them will be skipped"
fi
exit 0
