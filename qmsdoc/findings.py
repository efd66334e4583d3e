"""Findings: what validation reports, one per problem, with a position in a file."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a file (line 0 means "the whole file")."""

    path: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    field: str
    location: Location
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


def error(code: str, field: str, location: Location, message: str) -> Finding:
    return Finding(Severity.ERROR, code, field, location, message)


def warning(code: str, field: str, location: Location, message: str) -> Finding:
    return Finding(Severity.WARNING, code, field, location, message)
