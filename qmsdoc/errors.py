"""The few exception types the core raises; the CLI turns each into one line and an exit code."""

from __future__ import annotations


class QmsdocError(Exception):
    """A problem the user can fix. ``exit_code`` follows the CLI contract (1 or 2)."""

    exit_code = 1


class UsageError(QmsdocError):
    """Bad usage or environment: unknown id or kind, not a directory, bad config."""

    exit_code = 2


class ConfigError(UsageError):
    """``qmsdoc.yaml`` (or a schema or template override) is unusable."""
