"""Issue 12 point 5: what a team's hooks and CI rely on — render --changed-since includes
approval-only changes, due --owner refuses a name it does not know."""

from __future__ import annotations

from pathlib import Path

from gitrepo import GitRepo


def test_render_changed_since_includes_records_approved_since(created: GitRepo,
                                                              tmp_path: Path) -> None:
    base = created.head()
    assert created.approve("wang.fang", "review").exit_code == 0
    assert created.approve("sun.li", "approve").exit_code == 0
    out = tmp_path / "out"
    result = created.cli("render", "--changed-since", base, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["CC-2026-0001.docx"]
    none = created.cli("render", "--changed-since", "HEAD", "--out", str(tmp_path / "o2"))
    assert none.exit_code == 0 and not (tmp_path / "o2").exists()


def test_due_owner_that_names_nobody_is_a_usage_error(created: GitRepo) -> None:
    result = created.cli("due", "--owner", "qualty")
    assert (result.exit_code, result.stderr) == (2, (
        "qmsdoc: --owner qualty: no roster key, name or department is called that "
        "(did you mean 'quality'?)\n"))
    assert created.cli("due", "--owner", "quality").exit_code in (0, 1)
    assert created.cli("due", "--owner", "王芳").exit_code in (0, 1)


def test_the_generated_readme_tells_the_team_workflow(tmp_path: Path) -> None:
    from qmsdoc.resources import builtin

    text = builtin("scaffold/README.md").read_text(encoding="utf-8")
    steps = ["git pull", "qmsdoc new", "qmsdoc validate", "git commit", "git push",
             "qmsdoc approve", "git push"]
    at = 0
    for step in steps:
        at = text.index(step, at) + len(step)
    for fact in ("qmsdoc renumber", "two records got the same id",
                 "qmsdoc approve qmsdoc.yaml --as approve"):
        assert fact in text


def test_forms_print_unsigned_beside_an_unsigned_signature(git_repo: GitRepo) -> None:
    from gitrepo import released_a

    from qmsdoc import config as qconfig
    from qmsdoc.history.states import record_state
    from qmsdoc.render.frame import signature

    released_a(git_repo)
    cfg = qconfig.load(git_repo.root)
    state = record_state(git_repo.root, cfg, "CC-2026-0001")
    current = state.current
    assert current is not None and current.approved is not None
    row = signature("approved", current.approved, cfg)
    assert (row["signed"], row["evidence"], row["commit"]) == (
        "未签名", "unsigned", git_repo.head()[:12])
