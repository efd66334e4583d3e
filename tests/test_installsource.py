"""Where `qmsdoc init` tells CI to install qmsdoc from: what pip recorded (PEP 610
direct_url.json, given here as the dictionaries pip writes) or --qmsdoc-spec."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from qmsdoc.errors import UsageError
from qmsdoc.scaffold.installsource import InstallSource, _from_direct_url, given


def test_a_git_install_gives_its_url_at_the_commit() -> None:
    source = _from_direct_url({"url": "https://git.example.com/tools/qmsdoc",
                               "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0",
                                            "commit_id": "0f3c" * 10}})
    assert source.spec == "qmsdoc @ git+https://git.example.com/tools/qmsdoc@" + "0f3c" * 10
    assert source.warning == ""
    assert source.vcs == ("https://git.example.com/tools/qmsdoc", "0f3c" * 10)


def test_a_wheel_on_a_server_is_its_url() -> None:
    url = "https://pypi.example.com/files/qmsdoc-0.2.0-py3-none-any.whl"
    source = _from_direct_url({"url": url, "archive_info": {"hashes": {"sha256": "ab"}}})
    assert (source.spec, source.warning, source.vcs) == (f"qmsdoc @ {url}", "", None)


def test_a_local_wheel_is_its_path_with_a_warning() -> None:
    source = _from_direct_url({"url": "file:///home/li/qmsdoc-0.2.0-py3-none-any.whl",
                               "archive_info": {}})
    assert source.spec == "/home/li/qmsdoc-0.2.0-py3-none-any.whl"
    assert "only this computer can reach" in source.warning and "--qmsdoc-spec" in source.warning


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def test_a_checkout_with_a_remote_gives_the_remote_at_its_commit(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q",
         "--allow-empty", "-m", "x")
    _git(tmp_path, "remote", "add", "origin", "git@git.example.com:tools/qmsdoc.git")
    source = _from_direct_url({"url": tmp_path.as_uri(), "dir_info": {"editable": True}})
    commit = _git(tmp_path, "rev-parse", "HEAD")
    assert source.spec == f"qmsdoc @ git+ssh://git@git.example.com/tools/qmsdoc.git@{commit}"
    assert source.warning == ""


def test_a_checkout_without_a_remote_is_its_path_with_a_warning(tmp_path: Path) -> None:
    source = _from_direct_url({"url": tmp_path.as_uri(), "dir_info": {}})
    assert source.spec == str(tmp_path)
    assert source.warning.startswith(f"qmsdoc was installed from {tmp_path}, which only this "
                                     "computer can reach")


def test_a_given_spec_is_taken_as_it_is_and_an_empty_one_refused() -> None:
    assert given(" qmsdoc==0.2.0 ") == InstallSource("qmsdoc==0.2.0", "--qmsdoc-spec")
    with pytest.raises(UsageError, match="give one pip requirement"):
        given("  ")
