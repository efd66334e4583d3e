#!/usr/bin/env bash
# The system tools qmsdoc's demo and tests use, installed when missing: one script for
# `make demo`, `make test` and CI. Needs root and apt-get to install; otherwise it says what is
# missing, and each command that needs a missing tool refuses with exit 2 and the fix, `make
# demo` skips that step saying why, and the tests that need it are skipped with the reason.
#
#   git, ssh-keygen, gpg     git history, SSH- and GPG-signed approvals
#   soffice                  render --pdf (LibreOffice writer, no GUI); calc opens the
#                            exported registers in the tests
#   a Chinese font           PDF copies and report charts without boxes (fonts-noto-cjk)
#   Liberation fonts         Times New Roman / Arial metrics in the PDFs
#   pdftotext, pdftoppm      the tests read the PDFs back (poppler-utils)
set -uo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have git || need+=(git)
have ssh-keygen || need+=(openssh-client)
have gpg || need+=(gnupg)
have fc-list || need+=(fontconfig)
have pdftotext || need+=(poppler-utils)
# (the lists are read whole: `fc-list | grep -q` fails under pipefail when grep stops early)
fonts="$(have fc-list && fc-list 2>/dev/null)"; zh="$(have fc-list && fc-list :lang=zh 2>/dev/null)"
[ -n "$zh" ] || need+=(fonts-noto-cjk)
[[ "$fonts" == *"Liberation Serif"* ]] || need+=(fonts-liberation2)
office=0
have soffice || have libreoffice || office=1
calc=$office  # LibreOffice without Calc cannot open a workbook (libsclo is Calc)
if [ $office = 0 ]; then
  program="$(dirname "$(readlink -f "$(command -v soffice || command -v libreoffice)")")"
  [ -e "$program/libsclo.so" ] || calc=1
fi
if [ ${#need[@]} -eq 0 ] && [ $office = 0 ] && [ $calc = 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && have apt-get; then
  echo "setup-system: apt-get update ..."
  apt-get update -qq >/dev/null 2>&1 || echo "setup-system: apt-get update failed; trying the package lists there are"
  if [ $office = 1 ]; then  # Debian 12+: the writer without the GUI; older: the full writer
    if apt-cache show libreoffice-writer-nogui >/dev/null 2>&1; then need+=(libreoffice-writer-nogui)
    else need+=(libreoffice-writer); fi
  fi
  if [ $calc = 1 ]; then
    if apt-cache show libreoffice-calc-nogui >/dev/null 2>&1; then need+=(libreoffice-calc-nogui)
    else need+=(libreoffice-calc); fi
  fi
  echo "setup-system: installing ${need[*]} ..."
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
      >/tmp/qmsdoc-setup-system.log 2>&1; then
    echo "setup-system: could not install all of ${need[*]} (see /tmp/qmsdoc-setup-system.log);"
    echo "  what needs a missing tool is skipped with the reason"
  fi
  have fc-cache && fc-cache -f >/dev/null 2>&1  # fontconfig sees the new fonts at once
else
  [ $office = 1 ] && need+=(libreoffice-writer-nogui)
  [ $calc = 1 ] && need+=(libreoffice-calc-nogui)
  echo "setup-system: missing ${need[*]} and cannot install them (needs root and apt-get);"
  echo "  what needs a missing tool is skipped with the reason"
fi
exit 0
