"""The exception types the core raises, gathered here; the CLI turns each into one line and
an exit code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .findings import Finding


class QmsdocError(Exception):
    """A problem the user can fix. ``exit_code`` follows the CLI contract (1 or 2)."""

    exit_code = 1


class UsageError(QmsdocError):
    """Bad usage or environment: unknown id or kind, not a directory, bad config."""

    exit_code = 2


class ConfigError(UsageError):
    """``qmsdoc.yaml`` (or a schema or template override) is unusable."""


class ConfigFindings(ConfigError):
    """``qmsdoc.yaml`` cannot be read or breaks its schema: each problem as a finding with
    its line, code and field, which ``validate`` shows in every --format (exit 2)."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        super().__init__("\n".join(
            f"{f.location.path}:{f.location.line}:{f.location.column}: "
            f"{f.severity.value}[{f.code}]: {f.field}: {f.message}" for f in self.findings))


class GitError(UsageError):
    """git is missing, or refused a command (bad revision, not a repository)."""


class TemplateProblem(ConfigError):
    """A template that cannot be used (unreadable, a syntax error, an unknown field)."""


class RenderError(QmsdocError):
    """A record that could not be rendered with a template (exit 1)."""


class ApprovalRefused(QmsdocError):
    """The policy (or the record's state) forbids this approval: exit 1, one line."""


class InitRefused(QmsdocError):
    """``init`` or ``new`` would overwrite a file, or ``--example`` meets an existing history:
    the environment is not what the command needs (exit 2), not a problem found in records."""

    exit_code = 2
