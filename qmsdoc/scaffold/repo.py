"""A new records repository's own git: the branch its CI definitions run on, and where the
editor schemas live."""

from __future__ import annotations

from pathlib import Path

from ..git import cmd as gitcmd

SCHEMAS_DIR = ".qmsdoc/schemas"
BRANCH = "main"  # the CI definitions run on pushes to it

def git_init(root: Path) -> bool:
    """Make ``root`` a git repository of its own (branch ``main``) unless it is one already;
    True when it was made. A folder inside another repository gets a repository of its own."""
    top = gitcmd.toplevel(root)
    if top is not None and top.resolve() == root.resolve():
        return False
    gitcmd.run(root, "init", "-q")
    gitcmd.run(root, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
    return True
