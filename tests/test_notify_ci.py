"""The CI that `qmsdoc init` writes gets a scheduled `notify` job: secrets from CI variables,
the record of what was sent in the CI cache; its shell step, run as the runner would, sends
the mails to a local SMTP server, and says so when qmsdoc.yaml has no notify: section."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from localservers import smtp_server

Run = Callable[..., Any]
SECRETS = ["QMSDOC_SMTP_PASSWORD", "QMSDOC_DINGTALK_SECRET", "QMSDOC_FEISHU_SECRET"]


def test_github_notify_job(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", str(tmp_path / "repo"))
    jobs = yaml.safe_load((tmp_path / "repo/.github/workflows/qmsdoc.yml").read_text("utf-8"))
    job = jobs["jobs"]["notify"]
    assert job["if"] == ("github.event_name == 'schedule' || "
                         "github.event_name == 'workflow_dispatch'")
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    restore = steps["Restore the record of reminders sent"]
    assert restore["uses"] == "actions/cache/restore@v4"
    assert restore["with"]["path"] == ".qmsdoc/notify-state.json"
    assert restore["with"]["restore-keys"] == "qmsdoc-notify-"
    save = steps["Save the record of reminders sent"]
    assert save["uses"] == "actions/cache/save@v4" and save["if"].startswith("always()")
    send = steps["Remind the owners of overdue and soon-due clocks"]
    assert send["env"] == {name: "${{ secrets." + name + " }}" for name in SECRETS}
    assert "qmsdoc notify" in send["run"]
    install = steps["Install qmsdoc"]["run"]
    assert "@PIP_INSTALL_QMSDOC@" not in install and "pip install" in install


def test_gitlab_notify_job(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", str(tmp_path / "repo"))
    data = yaml.safe_load((tmp_path / "repo/.gitlab-ci.yml").read_text("utf-8"))
    job = data["notify"]
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert {"key": "qmsdoc-notify", "paths": [".qmsdoc/notify-state.json"],
            "when": "always"} in job["cache"]
    assert "qmsdoc notify" in "\n".join(job["script"])


def _step(repo: Path) -> str:
    jobs = yaml.safe_load((repo / ".github/workflows/qmsdoc.yml").read_text("utf-8"))
    steps = jobs["jobs"]["notify"]["steps"]
    return str(next(s["run"] for s in steps if "qmsdoc notify" in s.get("run", "")))


@pytest.mark.parametrize("configured", [True, False])
def test_the_notify_step_runs(configured: bool, run_cli: Run, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    assert run_cli("init", str(repo), "--example").exit_code == 0
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(PATH=f"{Path(sys.executable).parent}:{env['PATH']}", QMSDOC_TODAY="2026-11-21",
               QMSDOC_CACHE_DIR=str(tmp_path / "cache"), QMSDOC_SMTP_PASSWORD="")
    with smtp_server() as box:
        if configured:
            with (repo / "qmsdoc.yaml").open("a", encoding="utf-8") as config:
                config.write(f"\nnotify:\n  email: {{host: 127.0.0.1, port: {box.port}, "
                             "security: none, from: qms@mingyuan.example}\n")
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", _step(repo)], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        if configured:
            assert [m.recipients for m in box.mails] == [["zhao.lei@mingyuan.example"],
                                                         ["li.ming@mingyuan.example"],
                                                         ["wang.fang@mingyuan.example"]]
            assert (repo / ".qmsdoc/notify-state.json").is_file()
        else:
            assert done.stdout == "qmsdoc.yaml has no notify: section: no reminders sent\n"
            assert box.mails == []


def test_the_state_file_is_not_committed(run_cli: Run, tmp_path: Path) -> None:
    """It lives in the CI cache: a new repository's .gitignore keeps it out of git."""
    repo = tmp_path / "repo"
    assert run_cli("init", str(repo)).exit_code == 0
    ignored = subprocess.run(["git", "check-ignore", ".qmsdoc/notify-state.json"], cwd=repo,
                             capture_output=True, text=True, timeout=60)
    assert (ignored.returncode, ignored.stdout) == (0, ".qmsdoc/notify-state.json\n")
