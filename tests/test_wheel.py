"""The built wheel as a user gets it: installed into a new virtual environment, run outside
the source tree; and the CI files `qmsdoc init` writes, their shell steps run in order in a
fresh clone, installing qmsdoc from that wheel.

The new environments see the development environment's third-party packages through a
``.pth`` file (a folder of links to them, qmsdoc's own left out), so nothing is downloaded:
what is tested is qmsdoc's wheel (its modules and data files) and the generated steps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import venv
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

import qmsdoc

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell steps")


def _run(command: list[str] | str, cwd: Path, env: dict[str, str],
         shell: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, shell=shell, capture_output=True,
                          text=True, timeout=600, check=False,
                          executable="/bin/bash" if shell else None)


def _environment(folder: Path, deps: Path) -> Path:
    """A new virtual environment with pip whose third-party packages come from ``deps``."""
    venv.EnvBuilder(with_pip=True).create(folder)
    purelib = Path(_run([str(folder / "bin" / "python"), "-c",
                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        folder, dict(os.environ)).stdout.strip())
    (purelib / "qmsdoc-test-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return folder / "bin"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps",
                 "--no-build-isolation", "-w", str(out), str(ROOT)], ROOT, dict(os.environ))
    assert done.returncode == 0, done.stderr
    # setuptools' own warnings (BuildBackendWarning, SetuptoolsDeprecationWarning, …): none
    assert re.findall(r"\w+Warning\b.*", done.stderr + done.stdout) == []
    (built,) = out.glob("qmsdoc-*.whl")
    return built


@pytest.fixture(scope="module")
def deps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Links to every package of this environment but qmsdoc's own install."""
    folder = tmp_path_factory.mktemp("deps")
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        lowered = entry.name.lower()
        if lowered.startswith(("qmsdoc", "__editable__", "_qmsdoc")) or entry.suffix == ".pth":
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("QMSDOC_", "PYTHON", "VIRTUAL_ENV", "GIT_"))}
    env.update(HOME=str(tmp_path / "home"), LC_ALL="C.UTF-8")
    (tmp_path / "home").mkdir()
    return env


def test_the_wheel_installs_and_runs_init_validate_render_report(
        wheel: Path, deps: Path, tmp_path: Path, clean_env: dict[str, str],
        docx_text: Callable[[Path], str]) -> None:
    bin_ = _environment(tmp_path / "venv", deps)
    installed = _run([str(bin_ / "pip"), "install", "--no-deps", str(wheel)], tmp_path, clean_env)
    assert installed.returncode == 0, installed.stderr
    env = {**clean_env, "PATH": f"{bin_}:{clean_env['PATH']}"}
    work = tmp_path / "work"
    work.mkdir()

    version = _run(["qmsdoc", "--version"], work, env)
    assert version.stdout.strip() == f"qmsdoc, version {qmsdoc.__version__}"
    where = _run(["python", "-c", "import qmsdoc; print(qmsdoc.__file__)"], work, env)
    assert where.stdout.startswith(str(tmp_path / "venv"))  # the wheel's copy, not the source

    init = _run(["qmsdoc", "init", "--example", "repo", "--qmsdoc-spec", str(wheel)], work, env)
    assert init.returncode == 0, init.stderr
    repo = work / "repo"
    checked = _run(["qmsdoc", "validate"], repo, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines()[-1] == "8 records checked, 0 errors, 0 warnings"
    # the compiled message catalog is in the wheel: the same run in Chinese
    chinese = _run(["qmsdoc", "validate"], repo, {**env, "LC_ALL": "zh_CN.UTF-8"})
    assert chinese.stdout.splitlines()[-1] == "已检查 8 条记录：0 个错误，0 个警告"
    rendered = _run(["qmsdoc", "render", "--all", "--out", "out"], repo, env)
    assert rendered.returncode == 0, rendered.stderr
    assert sorted(p.name for p in (repo / "out").glob("*.docx")) == [
        "8D-2026-0001.docx", "CC-2026-0001.docx", "CC-2026-0002.docx", "CC-2026-0003.docx",
        "CR-2026-0001.docx", "CR-2026-0002.docx", "CSR-HXAUTO.docx", "CSR-LDEV.docx"]
    text = docx_text(repo / "out" / "CC-2026-0001.docx")
    assert "客户抱怨" in text and "CC-2026-0001" in text
    report = _run(["qmsdoc", "report", "complaints", "--month", "2026-11", "--format", "xlsx",
                   "--out", "out"], repo, env)
    assert report.returncode == 0, report.stderr
    assert report.stdout.strip() == "out/complaint-statistics-2026-11.xlsx"


def test_version_agrees_with_the_changelog_and_the_tags() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    headings = [line for line in changelog.splitlines() if line.startswith("## ")]
    assert headings[0].startswith(f"## {qmsdoc.__version__} ")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert "version" in project["dynamic"]  # read from qmsdoc.__version__, one place
    tags = _run(["git", "tag", "--list", "v*"], ROOT, dict(os.environ)).stdout.split()
    for tag in tags:  # every release tag has its section
        assert any(h.startswith(f"## {tag[1:]} ") for h in headings), tag


# --- the generated CI, run as its runner would ------------------------------------------------

def _steps_github(workflow: dict[str, object], event: str) -> list[str]:
    job = workflow["jobs"]["check"]  # type: ignore[index]
    steps = []
    for step in job["steps"]:
        condition = step.get("if", "")
        if "run" not in step:
            continue  # actions/checkout and setup-python: the fresh clone and venv stand in
        if condition == "github.event_name == 'pull_request'" and event != "pull_request":
            continue
        if condition == "github.event_name != 'pull_request'" and event == "pull_request":
            continue
        assert condition in ("", "github.event_name == 'pull_request'",
                             "github.event_name != 'pull_request'"), condition
        steps.append(step["run"])
    return steps


def _steps_gitlab(pipeline: dict[str, object]) -> list[str]:
    steps = list(pipeline["default"]["before_script"])  # type: ignore[index]
    for job in ("validate", "verify", "render"):
        steps += pipeline[job]["script"]  # type: ignore[index]
    return steps


@pytest.fixture
def ci_repo(wheel: Path, tmp_path: Path, clean_env: dict[str, str]) -> tuple[Path, Path]:
    """A bare remote of an ``init --example`` repository and a fresh clone of it."""
    env = {**clean_env, "PATH": f"{Path(sys.executable).parent}:{clean_env['PATH']}"}
    made = _run(["qmsdoc", "init", "--example", str(tmp_path / "made"),
                 "--qmsdoc-spec", str(wheel)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    remote = tmp_path / "remote.git"
    assert _run(["git", "clone", "-q", "--bare", str(tmp_path / "made"), str(remote)],
                tmp_path, env).returncode == 0
    clone = tmp_path / "clone"
    assert _run(["git", "clone", "-q", str(remote), str(clone)], tmp_path, env).returncode == 0
    return remote, clone


@pytest.mark.parametrize("system", ["github", "gitlab"])
def test_generated_ci_steps_pass_in_a_fresh_clone(
        system: str, wheel: Path, deps: Path, ci_repo: tuple[Path, Path], tmp_path: Path,
        clean_env: dict[str, str]) -> None:
    _, clone = ci_repo
    bin_ = _environment(tmp_path / "runner", deps)
    env = {**clean_env, "PATH": f"{bin_}:{clean_env['PATH']}", "CI": "true"}
    if system == "github":
        workflow = yaml.safe_load((clone / ".github/workflows/qmsdoc.yml").read_text("utf-8"))
        steps = _steps_github(workflow, "push")
        env.update(BASE="main", RUNNER_TEMP=str(tmp_path))
        assert _run(["git", "fetch", "-q", "origin"], clone, env).returncode == 0
    else:
        pipeline = yaml.safe_load((clone / ".gitlab-ci.yml").read_text("utf-8"))
        steps = _steps_gitlab(pipeline)
        env.update(CI_PIPELINE_SOURCE="push", CI_DEFAULT_BRANCH="main",
                   CI_PROJECT_DIR=str(clone))
    assert any(str(wheel) in step for step in steps)  # the install step takes the wheel
    script = "set -eo pipefail\n" + "\n".join(steps)
    done = _run(script, clone, env, shell=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "8 records checked, 0 errors, 0 warnings" in done.stdout
    assert (clone / "out" / "CC-2026-0001.docx").is_file()
    where = _run(["python", "-c", "import qmsdoc; print(qmsdoc.__file__)"], tmp_path, env)
    assert where.stdout.startswith(str(tmp_path / "runner"))


def test_no_generated_file_installs_a_package_that_does_not_exist(
        wheel: Path, ci_repo: tuple[Path, Path]) -> None:
    _, clone = ci_repo
    for rel in (".github/workflows/qmsdoc.yml", ".gitlab-ci.yml", ".pre-commit-config.yaml",
                "README.md"):
        text = (clone / rel).read_text("utf-8")
        assert "pip install qmsdoc" not in text.replace(f"pip install {wheel}", ""), rel
        assert "@PIP_INSTALL_QMSDOC@" not in text and "@PRE_COMMIT_REPO@" not in text, rel
