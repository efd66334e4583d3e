"""qmsdoc: quality records as YAML in git, validated, approved through git, rendered into Word forms."""

from __future__ import annotations

__version__ = "0.1.0"
