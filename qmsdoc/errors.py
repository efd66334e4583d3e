"""The exception types the core raises, gathered here; the CLI turns each into one line and
an exit code."""

from __future__ import annotations


class QmsdocError(Exception):
    """A problem the user can fix. ``exit_code`` follows the CLI contract (1 or 2)."""

    exit_code = 1


class UsageError(QmsdocError):
    """Bad usage or environment: unknown id or kind, not a directory, bad config."""

    exit_code = 2


class ConfigError(UsageError):
    """``qmsdoc.yaml`` (or a schema or template override) is unusable."""


class GitError(UsageError):
    """git is missing, or refused a command (bad revision, not a repository)."""


class TemplateProblem(ConfigError):
    """A template that cannot be used (unreadable, a syntax error, an unknown field)."""


class RenderError(QmsdocError):
    """A record that could not be rendered with a template (exit 1)."""


class ApprovalRefused(QmsdocError):
    """The policy (or the record's state) forbids this approval: exit 1, one line."""


class InitRefused(QmsdocError):
    """``init`` would overwrite a file, or ``--example`` meets an existing history: the
    environment is not what init needs (exit 2), not a problem found in records."""

    exit_code = 2
