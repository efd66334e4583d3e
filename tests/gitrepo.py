"""Real git repositories for the history, approve and verify tests.

Every commit is made by a named roster person at a fixed date, with git's global and
system configuration shut out, so that commit ids, dates and output are the same on
every machine. Import the helpers from a test module; they need pytest's ``tmp_path`` and
``monkeypatch``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from qmsdoc.cli import main

PEOPLE: dict[str, tuple[str, str]] = {
    "li.ming": ("李明", "li.ming@example.com"),
    "wang.fang": ("王芳", "wang.fang@example.com"),
    "sun.li": ("孙立", "sun.li@example.com"),
    "zhao.lei": ("赵磊", "zhao.lei@example.com"),
    "chen.jun": ("陈军", "chen.jun@example.com"),
    "mallory": ("孙立", "sun.li@evil.example"),  # a forged identity: the GM's name, not in roster
}

CONFIG = """\
company: {name: 测试制造有限公司}
customers:
  - {code: HXAUTO, name: 华信汽车部件有限公司}
roster:
  - {key: li.ming, name: 李明, email: li.ming@example.com, department: quality, roles: [quality_engineer]}
  - {key: wang.fang, name: 王芳, email: wang.fang@example.com, department: quality, roles: [quality_manager]}
  - {key: sun.li, name: 孙立, email: sun.li@example.com, department: gm_office, roles: [general_manager]}
  - {key: zhao.lei, name: 赵磊, email: zhao.lei@example.com, department: sales, roles: [sales, sales_manager]}
  - {key: chen.jun, name: 陈军, email: chen.jun@example.com, department: production, roles: [production_manager]}
"""

COMPLAINT_PATH = "records/complaints/2026/CC-2026-0001.yaml"
COMPLAINT = """\
kind: complaint
id: {id}
title: 支架开裂
customer: HXAUTO
received_at: 2026-11-03T09:40:00+08:00
category: quality
severity: general
status: registered
product:
  part_no: "0012345"
  name: 前保险杠支架
description: {description}
"""


def complaint(description: str = "客户来料检验发现支架开裂。", record_id: str = "CC-2026-0001") -> str:
    return COMPLAINT.format(id=record_id, description=description)


def date(day: int, hour: int = 9, minute: int = 0) -> str:
    """A fixed date-time in November 2026, China time."""
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"


@dataclass
class Result:
    exit_code: int
    output: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


@dataclass
class GitRepo:
    root: Path
    monkeypatch: pytest.MonkeyPatch
    day: int = 1
    env: dict[str, str] = field(default_factory=dict)

    def identity(self, who: str, at: str) -> dict[str, str]:
        name, email = PEOPLE[who]
        return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_AUTHOR_DATE": at,
                "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
                "GIT_COMMITTER_DATE": at}

    def next_date(self) -> str:
        self.day += 1
        return date(self.day)

    def git(self, *args: str, who: str = "li.ming", at: str | None = None,
            cwd: Path | None = None) -> str:
        env = {**os.environ, **self.identity(who, at or date(self.day))}
        proc = subprocess.run(["git", *args], cwd=cwd or self.root, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {proc.stderr}")
        return proc.stdout.strip()

    def git_status(self, *args: str, who: str = "li.ming") -> int:
        """``git ARGS``'s exit status, for a command expected to fail (a conflicting merge)."""
        env = {**os.environ, **self.identity(who, date(self.day))}
        return subprocess.run(["git", *args], cwd=self.root, env=env,
                              capture_output=True).returncode

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, who: str, message: str, files: dict[str, str] | None = None,
               at: str | None = None) -> str:
        """Write ``files``, commit everything as ``who``; the new commit id."""
        for rel, text in (files or {}).items():
            self.write(rel, text)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, who=who,
                 at=at or self.next_date())
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def blob(self, rel: str = COMPLAINT_PATH, rev: str = "HEAD") -> str:
        return self.git("rev-parse", f"{rev}:{rel}")

    def cli(self, *args: str, who: str = "li.ming", at: str | None = None) -> Result:
        """``qmsdoc --repo ROOT ARGS`` in-process, as git user ``who`` at date ``at``."""
        for key, value in self.identity(who, at or date(self.day)).items():
            self.monkeypatch.setenv(key, value)
        result = CliRunner().invoke(main, ["--repo", str(self.root), *args],
                                    catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def approve(self, who: str, action: str, *extra: str, record_id: str = "CC-2026-0001",
                at: str | None = None) -> Result:
        return self.cli("approve", record_id, "--as", action, *extra, who=who,
                        at=at or self.next_date())

    def forge(self, who: str, action: str, record_id: str = "CC-2026-0001",
              blob: str | None = None, at: str | None = None, sign: bool = False) -> str:
        """An approval commit made by hand, bypassing `qmsdoc approve` and its policy."""
        message = (f"{action.capitalize()} {record_id} ({action})\n\nApproval: {action}\n"
                   f"Record: {record_id}\nRecord-Blob: {blob or self.blob()}\n")
        self.git("commit", "-q", "--allow-empty", *(["-S"] if sign else []), "-m", message,
                 who=who, at=at or self.next_date())
        return self.head()


def make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str = CONFIG) -> GitRepo:
    """An initialised records repository with qmsdoc.yaml committed by li.ming."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "QMSDOC_REPO"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitRepo(root, monkeypatch)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "commit.gpgsign", "false")
    repo.write("qmsdoc.yaml", config)
    repo.commit("li.ming", "Configuration", at=date(1, 8))
    return repo


def released_a(repo: GitRepo) -> None:
    """The first half of the story: li.ming creates the complaint, wang.fang reviews it,
    sun.li approves it: revision A."""
    repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    assert repo.approve("wang.fang", "review").exit_code == 0
    assert repo.approve("sun.li", "approve").exit_code == 0


def ssh_keygen(tmp_path: Path, name: str) -> Path:
    """A fresh ed25519 key pair without passphrase; skips the test when ssh-keygen is missing."""
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed (apt-get install openssh-client): "
                    "SSH-signed approvals cannot be tested")
    key = tmp_path / "keys" / name
    key.parent.mkdir(exist_ok=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                   check=True)
    return key


def public_key(key: Path) -> str:
    """The OpenSSH public key line of the key pair ``key`` made by ssh_keygen."""
    return Path(f"{key}.pub").read_text(encoding="utf-8").strip()


def history_outputs(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                    caches: tuple[str | None, ...], english: bool = False) -> tuple[str, str]:
    """``history CC-2026-0001`` as text and JSON (and in English, with ``english``), once for
    each of ``caches`` (``QMSDOC_CACHE_DIR``: "off", or None for the cache under .git); every
    run must print the same. Returns the last run's text and JSON."""
    runs = []
    for cache in caches:
        if cache is None:
            monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
        else:
            monkeypatch.setenv("QMSDOC_CACHE_DIR", cache)
        results = [repo.cli("history", "CC-2026-0001"),
                   repo.cli("history", "CC-2026-0001", "--format", "json")]
        if english:
            results.append(repo.cli("--lang", "en", "history", "CC-2026-0001"))
        assert all(r.exit_code == 0 for r in results)
        runs.append(tuple(r.output for r in results))
    assert all(run == runs[0] for run in runs)
    return runs[-1][0], runs[-1][1]


@contextmanager
def example_repository(base: Path) -> Iterator[Path]:
    """``qmsdoc init --example`` in ``base``/demo, with git's own configuration shut out and
    王芳 as the one who commits (HOME is ``base`` while the context lasts)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(base))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        for name, value in (("NAME", "王芳"), ("EMAIL", "wang.fang@mingyuan.example")):
            mp.setenv(f"GIT_AUTHOR_{name}", value)
            mp.setenv(f"GIT_COMMITTER_{name}", value)
        result = CliRunner().invoke(main, ["init", "--example", str(base / "demo")],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        yield base / "demo"
