"""RFC 3161 time-stamps of release anchors, through ``openssl ts``.

With ``audit.tsa.url`` set in qmsdoc.yaml, each anchor's digest (SHA-256 of its text) is
sent to that time-stamping authority; the token it returns (with the TSA's certificate) is
kept in the release tag. ``verify`` checks every token against the anchor's digest and the
CA certificates of ``audit.tsa.ca_file`` as approved with the configuration in force (the
setting and the file's content in history, never the work tree; configs.py), or those of
``verify --tsa-ca FILE``: a third party then attests that the release existed at that
time, whatever the clocks of the clones said.
"""

from __future__ import annotations

import base64
import functools
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import QmsdocError, UsageError
from ..i18n import _
from .configs import ConfigHistory, tsa_ca_path

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
    import urllib.error  # only here: verify, which never asks a TSA, need not load it
    import urllib.request

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


@dataclass(frozen=True)
class Authority:
    """The CA certificates the tokens are checked against (PEM), or why there are none."""

    pem: bytes | None
    problem: str = ""  # why the tokens cannot be checked (when ``pem`` is None)
    source: str = ""  # the approved setting's file, when the certificates come from history


def approved_authority(configs: ConfigHistory | None) -> Authority:
    """The TSA's CA as approved with the configuration in force: ``audit.tsa.ca_file`` of
    the last approved qmsdoc.yaml, and that file's content at that approval. The work tree
    is never read: a CA certificate put there (or committed and not approved) would make
    a forged time-stamp verify."""
    approved = configs.current if configs is not None and configs.ca_tracked else None
    ca = tsa_ca_path(approved) if approved is not None else None
    if approved is None or ca is None:
        return Authority(None, _("carries an RFC 3161 time-stamp, but no approved "
                                 "configuration sets audit.tsa.ca_file (the TSA's CA "
                                 "certificate): it cannot be checked (or use verify "
                                 "--tsa-ca FILE)"))
    assert configs is not None
    if configs.ca_content is None:
        return Authority(None, _("audit.tsa.ca_file {ca_file} was not in the repository when "
                                 "the configuration in force was approved: the time-stamp "
                                 "cannot be checked (or use verify --tsa-ca FILE)").format(
                                     ca_file=ca))
    return Authority(configs.ca_content, source=ca)


def given_authority(path: Path) -> Authority:
    """The CA certificates of ``verify --tsa-ca FILE`` (from outside the repository)."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise UsageError(_("--tsa-ca {file}: cannot read: {reason}").format(
                             file=path, reason=exc.strerror or exc)) from None
    if not _certificates(pem):
        raise UsageError(_("--tsa-ca {file}: not a PEM certificate (the CA certificate of the "
                           "time-stamping authority, -----BEGIN CERTIFICATE-----)").format(
                               file=path))
    return Authority(pem)


@functools.cache
def _certificates(pem: bytes) -> bool:
    """Whether ``pem`` holds a certificate openssl can read."""
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        return False
    proc = subprocess.run([_openssl(), "x509", "-noout"], input=pem, capture_output=True,
                          check=False)
    return proc.returncode == 0


def check(authority: Authority, digest: str, token: str) -> str | None:
    """Why the token does not prove ``digest`` (None when it does)."""
    if authority.pem is None:
        return authority.problem
    if not _certificates(authority.pem):
        return _("audit.tsa.ca_file {ca_file} as approved holds no PEM certificate: the "
                 "time-stamp cannot be checked").format(ca_file=authority.source)
    openssl = _openssl()
    with tempfile.TemporaryDirectory(prefix="qmsdoc-tsa-") as scratch:
        path = Path(scratch) / "token.tst"
        ca_path = Path(scratch) / "ca.pem"
        ca_path.write_bytes(authority.pem)
        try:
            path.write_bytes(base64.b64decode(token, validate=True))
        except ValueError:
            return _("its time-stamp token is not base64")
        proc = subprocess.run([openssl, "ts", "-verify", "-digest", digest, "-token_in",
                               "-in", str(path), "-CAfile", str(ca_path)],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            return _("its RFC 3161 time-stamp does not verify against the anchor "
                     "({detail})").format(
                         detail=detail[-1] if detail else "openssl ts -verify failed")
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
