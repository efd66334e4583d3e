"""RFC 3161 time-stamps of release anchors, through ``openssl ts``.

With ``audit.tsa.url`` set in qmsdoc.yaml, each anchor's digest (SHA-256 of its text) is
sent to that time-stamping authority; the token it returns (with the TSA's certificate) is
kept in the release tag. ``verify`` checks every token against the anchor's digest and the
CA certificates of ``audit.tsa.ca_file``: a third party then attests that the release
existed at that time, whatever the clocks of the clones said.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import QmsdocError, UsageError
from ..i18n import _

TIMEOUT = 10.0  # seconds: a TSA that does not answer must not hang approve


def settings(config: Config) -> dict[str, Any]:
    audit = config.data.get("audit") or {}
    tsa = audit.get("tsa") if isinstance(audit, dict) else None
    return tsa if isinstance(tsa, dict) else {}


def _openssl() -> str:
    found = shutil.which("openssl")
    if found is None:
        raise UsageError(_("RFC 3161 time-stamps need openssl, which is not installed "
                           "(apt-get install openssl)"))
    return found


def stamper(repo: Path, config: Config) -> Callable[[str], str] | None:
    """The function that time-stamps a digest (hex SHA-256) and returns the token (base64),
    or None when no TSA is configured."""
    url = str(settings(config).get("url") or "")
    if not url:
        return None

    def stamp(digest: str) -> str:
        return request(url, digest)

    return stamp


def request(url: str, digest: str) -> str:
    """A time-stamp token over ``digest`` from the TSA at ``url`` (base64 DER)."""
    openssl = _openssl()
    with tempfile.TemporaryDirectory(prefix="qmsdoc-tsa-") as scratch:
        query = Path(scratch) / "query.tsq"
        _run([openssl, "ts", "-query", "-digest", digest, "-sha256", "-cert", "-out",
              str(query)], "the time-stamp request")
        post = urllib.request.Request(url, data=query.read_bytes(), method="POST",
                                      headers={"Content-Type": "application/timestamp-query"})
        try:
            with urllib.request.urlopen(post, timeout=TIMEOUT) as answer:  # noqa: S310
                reply = answer.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise QmsdocError(_("the time-stamping authority {url} did not answer ({problem})")
                              .format(url=url, problem=exc)) \
                from None
        response = Path(scratch) / "reply.tsr"
        response.write_bytes(reply)
        token = Path(scratch) / "token.tst"
        _run([openssl, "ts", "-reply", "-in", str(response), "-token_out", "-out",
              str(token)], f"the answer of {url}")
        return base64.b64encode(token.read_bytes()).decode("ascii")


def check(repo: Path, config: Config, digest: str, token: str) -> str | None:
    """Why the token does not prove ``digest`` (None when it does)."""
    ca = str(settings(config).get("ca_file") or "")
    if not ca:
        return ("carries an RFC 3161 time-stamp, but audit.tsa.ca_file (the TSA's CA "
                "certificate) is not set: it cannot be checked")
    ca_path = repo / ca
    if not ca_path.is_file():
        return f"audit.tsa.ca_file {ca} does not exist: the time-stamp cannot be checked"
    openssl = _openssl()
    with tempfile.TemporaryDirectory(prefix="qmsdoc-tsa-") as scratch:
        path = Path(scratch) / "token.tst"
        try:
            path.write_bytes(base64.b64decode(token, validate=True))
        except ValueError:
            return "its time-stamp token is not base64"
        proc = subprocess.run([openssl, "ts", "-verify", "-digest", digest, "-token_in",
                               "-in", str(path), "-CAfile", str(ca_path)],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            return ("its RFC 3161 time-stamp does not verify against the anchor "
                    f"({detail[-1] if detail else 'openssl ts -verify failed'})")
    return None


def stamped_at(token: str) -> str:
    """The time the token attests, as openssl prints it ("" when it cannot be read)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return ""
    with tempfile.TemporaryDirectory(prefix="qmsdoc-tsa-") as scratch:
        path = Path(scratch) / "token.tst"
        path.write_bytes(base64.b64decode(token))
        proc = subprocess.run([openssl, "ts", "-reply", "-token_in", "-in", str(path),
                               "-text"], capture_output=True, check=False)
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("Time stamp:"):
            return line.partition(":")[2].strip()
    return ""


def _run(command: list[str], what: str) -> None:
    proc = subprocess.run(command, capture_output=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise QmsdocError(_("openssl could not make {what} ({value})").format(
                              what=what, value=detail[-1] if detail else proc.returncode))
