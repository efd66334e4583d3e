"""A real RFC 3161 time-stamping authority on 127.0.0.1 for the anchor tests: a CA and a
TSA certificate made with openssl, and a small HTTP server that answers each time-stamp
query with `openssl ts -reply`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from localservers import serving

TS_CONFIG = """\
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class Tsa:
    url: str
    ca: Path
    queries: list[bytes]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_authority(folder: Path) -> None:
    """ca.key/ca.crt, and tsa.key/tsa.crt signed by the CA for time-stamping only."""
    folder.mkdir(parents=True, exist_ok=True)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "3650", "-subj", "/CN=Test TSA Root",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/CN=Test TSA", cwd=folder)
    (folder / "ext.cnf").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=critical,timeStamping\n", encoding="ascii")
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.crt", "-days", "3650", "-extfile", "ext.cnf",
             cwd=folder)
    (folder / "tsaserial").write_text("01\n", encoding="ascii")
    (folder / "ts.cnf").write_text(TS_CONFIG.format(dir=folder), encoding="utf-8")


@contextmanager
def tsa_server(folder: Path) -> Iterator[Tsa]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: RFC 3161 time-stamps cannot be tested")
    make_authority(folder)
    queries: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            queries.append(query)
            with tempfile.TemporaryDirectory() as scratch:
                q, r = Path(scratch) / "q.tsq", Path(scratch) / "r.tsr"
                q.write_bytes(query)
                subprocess.run(["openssl", "ts", "-reply", "-config", str(folder / "ts.cnf"),
                                "-queryfile", str(q), "-out", str(r)], check=True,
                               capture_output=True)
                reply = r.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield Tsa(f"http://127.0.0.1:{server.server_address[1]}/tsr", folder / "ca.crt",
                  queries)
