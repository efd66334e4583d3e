#!/usr/bin/env bash
# System tools the test suite uses. Missing ones are installed when possible (root + apt);
# tests that need a tool still missing afterwards are skipped with the reason.
set -uo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${need[*]} ..."
  apt-get update -qq >/dev/null 2>&1 && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 || \
    echo "could not install ${need[*]}: the tests that need them will be skipped"
else
  echo "missing ${need[*]} and cannot install (not root or no apt-get): the tests that need them will be skipped"
fi
exit 0
