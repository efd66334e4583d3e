"""`qmsdoc notify` e-mail over STARTTLS and over SSL, against a local SMTP server with a
certificate for 127.0.0.1 made here; the company's CA file (notify.email.ca_file) is how
qmsdoc trusts it, and a certificate nobody vouches for is a failed channel."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from localservers import server_context, smtp_server

Run = Callable[..., Any]
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "pw")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[str, str]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


def configure(repo: Path, port: int, security: str, ca: str | None) -> None:
    ca_file = f", ca_file: '{ca}'" if ca else ""
    with (repo / "qmsdoc.yaml").open("a", encoding="utf-8") as config:
        config.write(f"\nnotify:\n  email: {{host: 127.0.0.1, port: {port}, security: {security}, "
                     f"from: qms@mingyuan.example, user: qms, password_env: TEST_SMTP_PASSWORD"
                     f"{ca_file}}}\n  retries: 0\n")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_mail_goes_over_tls(security: str, run_cli: Run, sample_repo: Path,
                            certificate: tuple[str, str]) -> None:
    context = server_context(*certificate)
    tls = {"starttls": context} if security == "starttls" else {"ssl_context": context}
    with smtp_server(user="qms", password="pw", **tls) as box:
        configure(sample_repo, box.port, security, certificate[0])
        result = run_cli("notify", "--today", "2026-11-21", repo=sample_repo)
        assert result.exit_code == 0, result.stderr
        assert len(box.mails) == 3  # 赵磊 (2 overdue), 李明 (1 due within 3 days), 王芳 (head)
        assert all(mail.tls and mail.login == "qms" for mail in box.mails)


def test_an_untrusted_certificate_is_a_failed_channel(run_cli: Run, sample_repo: Path,
                                                      certificate: tuple[str, str]) -> None:
    with smtp_server(user="qms", password="pw",
                     ssl_context=server_context(*certificate)) as box:
        configure(sample_repo, box.port, "ssl", None)
        result = run_cli("notify", "--today", "2026-11-21", repo=sample_repo)
        assert result.exit_code == 1
        assert box.mails == []
        first = result.stderr.splitlines()[0]
        assert first.startswith(f"qmsdoc: notify: email → 赵磊 <zhao.lei@mingyuan.example>: not "
                                f"sent: SMTP 127.0.0.1:{box.port}: ")
        assert "CERTIFICATE_VERIFY_FAILED" in first


def test_a_ca_file_that_is_not_there_is_exit_2(run_cli: Run, sample_repo: Path) -> None:
    configure(sample_repo, 25, "ssl", "certs/none.pem")
    result = run_cli("notify", "--today", "2026-11-21", repo=sample_repo)
    assert (result.exit_code, result.stderr) == (
        2, "qmsdoc: notify.email.ca_file: certs/none.pem: no such file\n")
