"""qmsdoc: quality records as YAML in git, validated, approved in git, rendered as Word forms."""

from __future__ import annotations

__version__ = "0.4.0"  # the one place; pyproject.toml reads it, releases are tagged v<it>
