"""Findings: what validation reports, one per problem, with a position in a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering
from typing import Any, Protocol


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class PositionSource(Protocol):
    """What knows where a value of a record stands (the loader's Document)."""

    def position(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]: ...


@total_ordering
class Location:
    """A 1-based line and column in a file (line 0 means "the whole file").

    ``Location.of(...)`` names a value in a record and looks its line and column up only
    when they are read: most rules note where a value stands without ever reporting it, and
    a record read by the fast path has its positions composed only then."""

    __slots__ = ("path", "_line", "_column", "_source", "_where", "_key")

    def __init__(self, path: str, line: int = 0, column: int = 0) -> None:
        self.path = path
        self._line = line
        self._column = column
        self._source: PositionSource | None = None
        self._where: tuple[str | int, ...] = ()
        self._key = False

    @classmethod
    def of(cls, path: str, source: PositionSource, where: Sequence[str | int], *,
           key: bool = False) -> Location:
        location = cls(path)
        location._source, location._where, location._key = source, tuple(where), key
        return location

    def look_up_in(self, source: PositionSource) -> None:
        """A location made by ``of`` and not yet looked up takes its position from ``source``
        instead (the same file read again: a worker sends its locations without the text)."""
        if self._source is not None and self._where:
            self._source = source

    def _look_up(self) -> None:
        if self._source is not None:
            self._line, self._column = self._source.position(list(self._where), key=self._key)
            self._source = None

    @property
    def where(self) -> tuple[str | int, ...]:
        """The value's path in the record, for a location made by ``of`` (else empty)."""
        return self._where

    @property
    def line(self) -> int:
        self._look_up()
        return self._line

    @property
    def column(self) -> int:
        self._look_up()
        return self._column

    def _tuple(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.column)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Location) and self._tuple() == other._tuple()

    def __lt__(self, other: Location) -> bool:
        return self._tuple() < other._tuple()

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return f"Location(path={self.path!r}, line={self.line!r}, column={self.column!r})"

    def __getstate__(self) -> Any:
        return (self.path, self._line, self._column, self._source, self._where, self._key)

    def __setstate__(self, state: Any) -> None:
        (self.path, self._line, self._column, self._source, self._where, self._key) = state


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

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Position, code and field first: the same order in every language of the messages."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.field, self.message)


def error(code: str, field: str, location: Location, message: str) -> Finding:
    return Finding(Severity.ERROR, code, field, location, message)


def warning(code: str, field: str, location: Location, message: str) -> Finding:
    return Finding(Severity.WARNING, code, field, location, message)
