"""Sending: e-mail through SMTP (none, STARTTLS or SSL; the password from the environment)
and the group bots' webhooks with each service's message format (WeCom and DingTalk
markdown or text, DingTalk's signed request, Feishu text or card, Feishu's signature). Each
send is tried ``1 + retries`` times; what finally fails is reported, the rest still goes
out."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from ..i18n import _
from .message import Message
from .settings import Email, Webhook

LIMITS = {"wecom": 4000, "dingtalk": 18000, "feishu": 18000}  # bytes of message text
Sleep = Callable[[float], None]


class SendError(Exception):
    """One send failed (after its retries): the reason, in one line."""


def retried(action: Callable[[], None], retries: int, delay: float, sleep: Sleep) -> None:
    """Run ``action``; on SendError try again up to ``retries`` times, waiting ``delay``
    seconds, then twice as long, …; the last error is raised with the number of attempts."""
    for attempt in range(retries + 1):
        try:
            action()
            return
        except SendError as exc:
            if attempt == retries:
                tries = f" (after {retries + 1} attempts)" if retries else ""
                raise SendError(f"{exc}{tries}") from None
            sleep(delay * 2 ** attempt)


# --- e-mail -----------------------------------------------------------------------------------


def email_message(message: Message, sender: str, names: dict[str, str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = _address(sender, "qmsdoc")
    mail["To"] = [_address(a, names.get(a.lower(), "")) for a in message.to]
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body, charset="utf-8")
    return mail


def _address(address: str, name: str) -> Address:
    user, _, domain = address.partition("@")
    return Address(display_name=name, username=user, domain=domain)


class Mailer:
    """One SMTP session for every mail of the run, opened again after a failure."""

    def __init__(self, settings: Email, password: str, ca_file: str = "") -> None:
        self.settings = settings
        self.password = password
        self.ca_file = ca_file  # the resolved path of settings.ca_file
        self.session: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if self.ca_file:
            context.load_verify_locations(cafile=self.ca_file)
        session: smtplib.SMTP
        if s.security == "ssl":
            session = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            session = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                session.starttls(context=context)
        if s.user:
            session.login(s.user, self.password)
        return session

    def send(self, mail: EmailMessage) -> None:
        try:
            if self.session is None:
                self.session = self._open()
            refused = self.session.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise SendError(_("SMTP login as {user} refused: {smtp_code} {text}").format(
                                user=self.settings.user,
                                smtp_code=exc.smtp_code,
                                text=_text(exc.smtp_error))) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendError(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}") from None
        except UnicodeEncodeError:
            self.close()
            raise SendError(_("SMTP login: smtplib sends only ASCII user names and passwords"))\
                from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(f"SMTP {self.settings.host}:{self.settings.port}: "
                            f"{_reason(exc)}") from None
        if refused:
            raise SendError("refused recipients: " + ", ".join(sorted(refused)))

    def close(self) -> None:
        if self.session is not None:
            try:
                self.session.quit()
            except (smtplib.SMTPException, OSError):
                self.session.close()
            self.session = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return _reason(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


# --- webhooks ---------------------------------------------------------------------------------


def payload(hook: Webhook, message: Message, secret: str, now_ms: int) -> dict[str, Any]:
    """The JSON body each service expects."""
    if hook.channel in ("wecom", "dingtalk") and hook.format == "text":
        return {"msgtype": "text", "text": {"content": message.body}}
    if hook.channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": message.body}}
    if hook.channel == "dingtalk":
        return {"msgtype": "markdown",
                "markdown": {"title": message.subject, "text": message.body}}
    body: dict[str, Any]
    if hook.format != "text":  # Feishu shows markdown only in a card
        body = {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"template": "red",
                       "title": {"tag": "plain_text", "content": message.subject}},
            "elements": [{"tag": "div", "text": {"tag": "lark_md", "content": message.body}}]}}
    else:
        body = {"msg_type": "text", "content": {"text": message.body}}
    if secret:  # Feishu signs in the body: seconds, and the HMAC keyed by "timestamp\nsecret"
        stamp = str(now_ms // 1000)
        key = f"{stamp}\n{secret}".encode()
        body = {"timestamp": stamp,
                "sign": base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode(),
                **body}
    return body


def signed_url(hook: Webhook, secret: str, now_ms: int) -> str:
    """DingTalk's signed request: timestamp (ms) and sign = url-encoded base64 of the
    HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, added to the URL."""
    if hook.channel != "dingtalk" or not secret:
        return hook.url
    text = f"{now_ms}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), text, hashlib.sha256).digest())
    joiner = "&" if "?" in hook.url else "?"
    return f"{hook.url}{joiner}timestamp={now_ms}&sign={urllib.parse.quote_plus(sign)}"


def post(hook: Webhook, message: Message, secret: str) -> None:
    now_ms = int(time.time() * 1000)
    data = json.dumps(payload(hook, message, secret, now_ms), ensure_ascii=False).encode()
    request = urllib.request.Request(signed_url(hook, secret, now_ms), data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=hook.timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise SendError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(_reason(exc)) from None
    _check_answer(raw)


def _check_answer(raw: bytes) -> None:
    """WeCom and DingTalk answer {"errcode": 0, …}, Feishu {"code": 0, …} when all is well."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise SendError("the answer is not JSON: " + raw[:80].decode("utf-8", "replace")) \
            from None
    if not isinstance(answer, dict):
        raise SendError(_("the answer is not a JSON object"))
    for code_key, text_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "msg")):
        code = answer.get(code_key)
        if code not in (None, 0):
            raise SendError(f"{code_key} {code}: {answer.get(text_key, '')}")


def send_webhooks(hooks: Sequence[tuple[Webhook, Message, str]], retries: int, delay: float,
                  sleep: Sleep) -> dict[str, str]:
    """Post each message; the failures, target → reason."""
    failed = {}
    for hook, message, secret in hooks:
        try:
            retried(functools.partial(post, hook, message, secret), retries, delay, sleep)
        except SendError as exc:
            failed[message.target] = str(exc)
    return failed
