"""Real servers on 127.0.0.1 for the notify tests: a small SMTP server (the standard
library's socketserver speaking SMTP, AUTH PLAIN included) that keeps every mail it
receives, and an HTTP server standing in for a group bot's webhook."""

from __future__ import annotations

import base64
import json
import socketserver
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    data: bytes
    login: str = ""
    tls: bool = False  # received over TLS (STARTTLS or SSL)

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpBox:
    mails: list[Mail] = field(default_factory=list)
    user: str = ""  # AUTH PLAIN is offered and required when set
    password: str = ""
    port: int = 0
    refuse_data: int = 0  # answer 451 to the next N DATA commands
    tls: ssl.SSLContext | None = None  # STARTTLS is offered (and required) with a context


class _SmtpHandler(socketserver.StreamRequestHandler):
    box: SmtpBox

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        box = self.server.box  # type: ignore[attr-defined]
        self.reply("220 127.0.0.1 test SMTP")
        sender, recipients, login = "", [], ""
        secure = isinstance(self.request, ssl.SSLSocket)
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode().rstrip("\r\n")
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-127.0.0.1")
                if box.tls is not None and not secure:
                    self.reply("250-STARTTLS")
                if box.user:
                    self.reply("250-AUTH PLAIN")
                self.reply("250 8BITMIME")
            elif verb == "STARTTLS" and box.tls is not None and not secure:
                self.reply("220 2.0.0 Ready to start TLS")
                self.request = box.tls.wrap_socket(self.request, server_side=True)
                self.rfile = self.request.makefile("rb")
                self.wfile = self.request.makefile("wb", buffering=0)
                sender, recipients, login, secure = "", [], "", True
            elif verb == "AUTH":
                _, mech, *rest = command.split(" ")
                token = base64.b64decode(rest[0]).split(b"\0")
                if mech.upper() == "PLAIN" and token[1:] == [box.user.encode(),
                                                                box.password.encode()]:
                    login = box.user
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                if box.tls is not None and not secure:
                    self.reply("530 5.7.0 Must issue a STARTTLS command first")
                    continue
                if box.user and not login:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                sender, recipients = command.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                if box.refuse_data:
                    box.refuse_data -= 1
                    self.reply("451 4.3.0 try again later")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                box.mails.append(Mail(sender, recipients, b"".join(lines), login, secure))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _SslServer(_Server):
    """SMTP over SSL (port 465 style): every connection is TLS from its first byte."""

    context: ssl.SSLContext

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        return self.context.wrap_socket(sock, server_side=True), address


def server_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[None]:
    """``server`` answering in a thread of its own until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def smtp_server(user: str = "", password: str = "", *, starttls: ssl.SSLContext | None = None,
                ssl_context: ssl.SSLContext | None = None) -> Iterator[SmtpBox]:
    """STARTTLS offered and required with ``starttls``; SSL from the start with
    ``ssl_context``; plain otherwise."""
    box = SmtpBox(user=user, password=password, tls=starttls)
    server: _Server
    if ssl_context is not None:
        server = _SslServer(("127.0.0.1", 0), _SmtpHandler)
        server.context = ssl_context
    else:
        server = _Server(("127.0.0.1", 0), _SmtpHandler)
    server.box = box  # type: ignore[attr-defined]
    box.port = server.server_address[1]
    with serving(server):
        yield box


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Hook:
    requests: list[Request] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    port: int = 0
    delay: float = 0.0  # seconds before answering (a slow service)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        hook: Hook = self.server.hook  # type: ignore[attr-defined]
        size = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(size)
        parts = urlsplit(self.path)
        hook.requests.append(Request(parts.path, parse_qs(parts.query),
                                     {k.lower(): v for k, v in self.headers.items()},
                                     json.loads(raw.decode("utf-8"))))
        time.sleep(hook.delay)
        data = json.dumps(hook.answer).encode()
        self.send_response(hook.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def webhook_server(**kwargs: Any) -> Iterator[Hook]:
    hook = Hook(**kwargs)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HookHandler)
    server.daemon_threads = True
    server.hook = hook  # type: ignore[attr-defined]
    hook.port = server.server_address[1]
    with serving(server):
        yield hook
