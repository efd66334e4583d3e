"""`qmsdoc notify` against real servers on 127.0.0.1: a local SMTP server that receives and
parses the mails, and local HTTP servers standing in for the WeCom, DingTalk and Feishu
bots (payload format, DingTalk's and Feishu's signatures); a failing channel; a second run
that sends nothing new."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from localservers import Hook, SmtpBox, smtp_server, webhook_server

Run = Callable[..., Any]
TODAY = "2026-11-21"
BASE_URL = "https://git.example.com/qa/records/-/blob/main"
OWNERS = ["赵磊 <zhao.lei@mingyuan.example>", "李明 <li.ming@mingyuan.example>",
          "王芳 <wang.fang@mingyuan.example>", "刘洋 <liu.yang@mingyuan.example>"]


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


def configure(repo: Path, section: str) -> None:
    config = repo / "qmsdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nnotify:\n" + section,
                      encoding="utf-8")


def email_section(box: SmtpBox, extra: str = "") -> str:
    login = f", user: {box.user}, password_env: TEST_SMTP_PASSWORD" if box.user else ""
    return (f"  email: {{host: 127.0.0.1, port: {box.port}, security: none, "
            f"from: qms@mingyuan.example{login}}}\n"
            f"  base_url: {BASE_URL}\n  retries: 2\n  retry_delay_seconds: 0\n  within_days: 7\n"
            + extra)


def notify(run_cli: Run, repo: Path, *args: str) -> Any:
    return run_cli("notify", "--today", TODAY, *args, repo=repo)


def test_each_owner_gets_one_mail_and_a_second_run_sends_nothing(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    with smtp_server(user="qms", password="s3cret-pw") as box:
        configure(sample_repo, email_section(box))
        first = notify(run_cli, sample_repo)
        assert first.exit_code == 0, first.stderr
        assert first.lines == [
            "qmsdoc notify — now 2026-11-21 00:00 +0800",
            *[f"sent: email → {who}" for who in OWNERS],
            "5 reminder(s) (overdue or due within 7 days): 4 of 4 messages sent; 0 held back "
            "(sent within 7 days, see .qmsdoc/notify-state.json)",
        ]
        assert [m.recipients for m in box.mails] == [[o.split("<")[1][:-1]] for o in OWNERS]
        assert {m.login for m in box.mails} == {"qms"}
        zhao = box.mails[0].message
        assert zhao["Subject"] == "【质量期限提醒】赵磊：2 项已逾期"
        assert zhao["To"] == "赵磊 <zhao.lei@mingyuan.example>"
        assert zhao["From"] == "qmsdoc <qms@mingyuan.example>"
        assert zhao.get_content_type() == "text/plain"
        body = zhao.get_content()
        assert body.splitlines()[:12] == [
            "赵磊：", "", "截至 2026-11-21 00:00，以下质量记录的期限需要处理。", "",
            "【您负责的 · 已逾期（2 项）】",
            "1. CC-2026-0001 解决方案执行完毕后回访",
            "   规则：complaint-return-visit　依据：003 客户投诉处理制度 五.3",
            "   期限：2026-11-08　已逾期13天",
            f"   链接：{BASE_URL}/records/complaints/2026/CC-2026-0001.yaml",
            "2. CC-2026-0003 提出解决方案并与投诉人沟通",
            "   规则：complaint-solution　依据：003 客户投诉处理制度 五.2",
            "   期限：2026-11-20 16:05　已逾期7小时55分",
        ]
        head = box.mails[2].message  # 王芳, head of quality: 李明's clock in her summary
        assert head["Subject"] == "【质量期限提醒·汇总】王芳：1 项7天内到期"
        assert "1. CC-2026-0003 《客户投诉处理单》呈总经理批示（负责：李明（品质部））" in \
            head.get_content().splitlines()

        second = notify(run_cli, sample_repo)
        assert second.exit_code == 0
        assert second.lines[-1] == ("5 reminder(s) (overdue or due within 7 days): 0 of 0 "
                                    "messages sent; 6 held back (sent within 7 days, see "
                                    ".qmsdoc/notify-state.json)")
        assert len(box.mails) == 4
    state = json.loads((sample_repo / ".qmsdoc/notify-state.json").read_text("utf-8"))
    assert sorted(state["sent"]["email:zhao.lei@mingyuan.example"]) == [
        "CC-2026-0001|complaint-return-visit||2026-11-08|overdue",
        "CC-2026-0003|complaint-solution||2026-11-20T16:05:00+08:00|overdue"]


def test_a_new_state_is_a_new_reminder_and_the_window_ends(run_cli: Run,
                                                           sample_repo: Path) -> None:
    with smtp_server() as box:
        configure(sample_repo, email_section(box, "  window_days: 2\n"))
        assert notify(run_cli, sample_repo, "--within", "1").exit_code == 0
        assert [m.recipients[0].split(".")[0] for m in box.mails] == ["zhao", "li", "wang"]
        # two days on: li.ming's clock (due 2026-11-22) is overdue now, a new reminder;
        # zhao.lei's two are still overdue, but the window of 2 days has passed
        again = run_cli("notify", "--today", "2026-11-23", "--within", "0", repo=sample_repo)
        assert again.exit_code == 0
        assert again.lines[1:4] == ["sent: email → 赵磊 <zhao.lei@mingyuan.example>",
                                    "sent: email → 李明 <li.ming@mingyuan.example>",
                                    "sent: email → 王芳 <wang.fang@mingyuan.example>"]
        li = box.mails[4].message
        assert li["Subject"] == "【质量期限提醒】李明：1 项已逾期"


def test_dry_run_prints_the_mails_and_sends_nothing(run_cli: Run, sample_repo: Path) -> None:
    with smtp_server() as box:
        configure(sample_repo, email_section(box))
        result = notify(run_cli, sample_repo, "--dry-run")
        assert result.exit_code == 0
        assert box.mails == []
    assert not (sample_repo / ".qmsdoc/notify-state.json").exists()
    assert result.lines[0] == "qmsdoc notify — now 2026-11-21 00:00 +0800 — dry run: nothing is sent"
    assert [line for line in result.lines if line.startswith("────")] == \
        [f"──── email → {who}" for who in OWNERS]
    assert "Subject: 【质量期限提醒】刘洋：2 项7天内到期" in result.lines
    assert result.lines[-1].startswith("5 reminder(s) (overdue or due within 7 days): 4 messages "
                                       "would be sent; 0 held back")


def test_the_smtp_server_refusing_once_is_retried(run_cli: Run, sample_repo: Path) -> None:
    with smtp_server() as box:
        box.refuse_data = 2  # the first mail is refused twice, then taken
        configure(sample_repo, email_section(box))
        result = notify(run_cli, sample_repo)
        assert result.exit_code == 0, result.stderr
        assert len(box.mails) == 4


def test_an_smtp_server_that_is_not_there_is_one_line_and_exit_1(
        run_cli: Run, sample_repo: Path) -> None:
    with smtp_server() as box:
        port = box.port
    configure(sample_repo, f"  email: {{host: 127.0.0.1, port: {port}, security: none, "
                           "from: qms@mingyuan.example}\n  retries: 1\n"
                           "  retry_delay_seconds: 0\n")
    result = notify(run_cli, sample_repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"qmsdoc: notify: email → 赵磊 <zhao.lei@mingyuan.example>: not sent: SMTP "
        f"127.0.0.1:{port}: Connection refused (after 2 attempts)")
    assert "Traceback" not in result.stderr
    assert not (sample_repo / ".qmsdoc/notify-state.json").exists() or json.loads(
        (sample_repo / ".qmsdoc/notify-state.json").read_text("utf-8"))["sent"] == {}


def test_a_missing_password_is_exit_2_before_anything_is_sent(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with smtp_server(user="qms", password="x") as box, webhook_server() as hook:
        configure(sample_repo, email_section(box) + f"  wecom: {{url: '{hook.url('/w')}'}}\n")
        result = notify(run_cli, sample_repo)
        assert (result.exit_code, result.stderr) == (2, (
            "qmsdoc: notify.email: the environment variable TEST_SMTP_PASSWORD (the SMTP "
            "password) is not set\n"))
        assert box.mails == [] and hook.requests == []


def _bots(wecom: Hook, dingtalk: Hook, feishu: Hook) -> str:
    return (f"  wecom: {{url: '{wecom.url('/cgi-bin/webhook/send?key=K1')}'}}\n"
            f"  dingtalk: {{url: '{dingtalk.url('/robot/send?access_token=T2')}', "
            "secret_env: TEST_DINGTALK_SECRET}\n"
            f"  feishu: {{url: '{feishu.url('/open-apis/bot/v2/hook/H3')}', format: card, "
            "secret_env: TEST_FEISHU_SECRET}\n"
            f"  base_url: {BASE_URL}\n  within_days: 7\n  retries: 2\n  retry_delay_seconds: 0\n")


def test_each_bot_gets_one_message_in_its_format(run_cli: Run, sample_repo: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DINGTALK_SECRET", "SECd1ng+/=")
    monkeypatch.setenv("TEST_FEISHU_SECRET", "fs-secret")
    with webhook_server() as wecom, webhook_server() as dingtalk, \
            webhook_server(answer={"code": 0, "msg": "success"}) as feishu:
        configure(sample_repo, _bots(wecom, dingtalk, feishu))
        result = notify(run_cli, sample_repo)
        assert result.exit_code == 0, result.stderr
        assert result.lines[1:4] == ["sent: wecom → 企业微信群机器人",
                                     "sent: dingtalk → 钉钉群机器人",
                                     "sent: feishu → 飞书群机器人"]
        assert [len(h.requests) for h in (wecom, dingtalk, feishu)] == [1, 1, 1]

        w = wecom.requests[0]
        assert (w.path, w.query) == ("/cgi-bin/webhook/send", {"key": ["K1"]})
        assert w.headers["content-type"] == "application/json; charset=utf-8"
        assert list(w.body) == ["msgtype", "markdown"] and w.body["msgtype"] == "markdown"
        content = w.body["markdown"]["content"].splitlines()
        assert content[:4] == ["### 质量期限提醒 2026-11-21 00:00", "2 项已逾期，3 项7天内到期。", "",
                               "**赵磊（销售部）**"]
        assert content[4] == (f"- [CC-2026-0001]({BASE_URL}/records/complaints/2026/"
                              "CC-2026-0001.yaml) 解决方案执行完毕后回访：期限 2026-11-08，"
                              "**已逾期13天**（complaint-return-visit，003 客户投诉处理制度 五.3）")
        assert len(w.body["markdown"]["content"].encode()) <= 4096

        d = dingtalk.requests[0]
        assert d.body == {"msgtype": "markdown", "markdown": {
            "title": "质量期限提醒 2026-11-21 00:00", "text": w.body["markdown"]["content"]}}
        stamp = d.query["timestamp"][0]
        expected = base64.b64encode(hmac.new(b"SECd1ng+/=", f"{stamp}\nSECd1ng+/=".encode(),
                                             hashlib.sha256).digest()).decode()
        assert d.query["sign"] == [expected] and d.query["access_token"] == ["T2"]

        f = feishu.requests[0]
        assert f.body["msg_type"] == "interactive"
        card = f.body["card"]
        assert card["header"]["title"] == {"tag": "plain_text",
                                           "content": "质量期限提醒 2026-11-21 00:00"}
        assert card["elements"][0]["text"]["tag"] == "lark_md"
        assert card["elements"][0]["text"]["content"] == w.body["markdown"]["content"]
        key = f"{f.body['timestamp']}\nfs-secret".encode()
        assert f.body["sign"] == base64.b64encode(
            hmac.new(key, b"", hashlib.sha256).digest()).decode()

        again = notify(run_cli, sample_repo)
        assert again.exit_code == 0
        assert [len(h.requests) for h in (wecom, dingtalk, feishu)] == [1, 1, 1]


def test_feishu_text_and_a_single_channel(run_cli: Run, sample_repo: Path) -> None:
    with webhook_server(answer={"code": 0}) as feishu, webhook_server() as wecom:
        configure(sample_repo, f"  feishu: {{url: '{feishu.url('/hook/H')}'}}\n"
                               f"  wecom: {{url: '{wecom.url('/w')}'}}\n")
        result = notify(run_cli, sample_repo, "--channel", "feishu", "--within", "1")
        assert result.exit_code == 0, result.stderr
        assert wecom.requests == []
        body = feishu.requests[0].body
        assert list(body) == ["msg_type", "content"] and body["msg_type"] == "text"
        assert body["content"]["text"].splitlines()[:4] == [
            "质量期限提醒 2026-11-21 00:00", "2 项已逾期，1 项1天内到期。", "", "赵磊（销售部）"]


def test_a_failing_bot_exits_1_after_the_others_are_sent(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_DINGTALK_SECRET", "s")
    monkeypatch.setenv("TEST_FEISHU_SECRET", "f")
    with webhook_server() as wecom, \
            webhook_server(answer={"errcode": 310000, "errmsg": "sign not match"}) as dingtalk, \
            webhook_server(status=500) as feishu, smtp_server() as box:
        configure(sample_repo, _bots(wecom, dingtalk, feishu) + (
            f"  email: {{host: 127.0.0.1, port: {box.port}, security: none, "
            "from: qms@mingyuan.example}\n"))
        result = notify(run_cli, sample_repo)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "qmsdoc: notify: dingtalk → 钉钉群机器人: not sent: errcode 310000: sign not match "
            "(after 3 attempts)",
            "qmsdoc: notify: feishu → 飞书群机器人: not sent: HTTP 500 Internal Server Error "
            "(after 3 attempts)"]
        assert len(box.mails) == 4 and len(wecom.requests) == 1
        assert (len(dingtalk.requests), len(feishu.requests)) == (3, 3)
        assert "sent: wecom → 企业微信群机器人" in result.lines
        # the failed ones are sent at the next run, the rest is not repeated
        dingtalk.answer = {"errcode": 0, "errmsg": "ok"}
        feishu.status = 200
        again = notify(run_cli, sample_repo)
        assert again.exit_code == 0, again.stderr
        assert again.lines[1:3] == ["sent: dingtalk → 钉钉群机器人", "sent: feishu → 飞书群机器人"]
        assert len(box.mails) == 4 and len(wecom.requests) == 1


def test_a_channel_that_is_not_configured_is_exit_2(run_cli: Run, sample_repo: Path) -> None:
    result = notify(run_cli, sample_repo, "--channel", "wecom")
    assert (result.exit_code, result.stderr) == (2, (
        "qmsdoc: notify --channel wecom: no notify.wecom section in qmsdoc.yaml (see qmsdoc "
        "notify --help)\n"))
    result = notify(run_cli, sample_repo)
    assert result.exit_code == 2 and result.stderr.startswith("qmsdoc: notify: no channel "
                                                              "configured")


def test_the_notify_section_is_checked_by_the_schema(run_cli: Run, sample_repo: Path) -> None:
    configure(sample_repo, "  email: {host: smtp.example.com, from: qms@example.com, "
                           "security: tls, password: plain}\n")
    result = notify(run_cli, sample_repo, "--dry-run")
    assert result.exit_code == 2
    assert "/notify/email/security" in result.stderr
    assert "/notify/email" in result.stderr and "password" in result.stderr


def test_feishu_markdown_is_sent_as_a_card(run_cli: Run, sample_repo: Path) -> None:
    with webhook_server(answer={"code": 0}) as feishu:
        configure(sample_repo, f"  feishu: {{url: '{feishu.url('/hook/H')}', format: markdown}}\n")
        assert notify(run_cli, sample_repo).exit_code == 0
        body = feishu.requests[0].body
        assert body["msg_type"] == "interactive"
        assert body["card"]["elements"][0]["text"]["content"].startswith(
            "### 质量期限提醒 2026-11-21 00:00\n")


def test_wecom_and_dingtalk_send_text_when_configured(run_cli: Run, sample_repo: Path) -> None:
    with webhook_server() as wecom, webhook_server() as dingtalk:
        configure(sample_repo, f"  wecom: {{url: '{wecom.url('/w')}', format: text}}\n"
                               f"  dingtalk: {{url: '{dingtalk.url('/d')}', format: text}}\n")
        result = notify(run_cli, sample_repo, "--within", "1")
        assert result.exit_code == 0, result.stderr
        for hook in (wecom, dingtalk):
            body = hook.requests[0].body
            assert list(body) == ["msgtype", "text"] and body["msgtype"] == "text"
            assert body["text"]["content"].splitlines()[:4] == [
                "质量期限提醒 2026-11-21 00:00", "2 项已逾期，1 项1天内到期。", "", "赵磊（销售部）"]
            assert "**" not in body["text"]["content"]  # no markdown left in plain text


def test_two_runs_at_the_same_moment_send_once(sample_repo: Path) -> None:
    """The second run waits for the first to save what it sent, then holds it back."""
    with webhook_server(delay=1.5) as wecom:
        configure(sample_repo, f"  wecom: {{url: '{wecom.url('/w')}'}}\n")
        command = [sys.executable, "-m", "qmsdoc", "--repo", str(sample_repo), "notify",
                   "--today", TODAY]
        runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        assert len(wecom.requests) == 1
        assert sum("sent: wecom → 企业微信群机器人" in out for out, _ in outputs) == 1
