"""One error hierarchy for every reader: each message names the file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class FormatError(Exception):
    """A problem with an input file, located as precisely as the format allows.

    ``line`` is 1-based (for telegram files: the telegram's line); ``field`` is the
    column, record element or data item that is wrong. Either may be unknown.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str = "",
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def located(self, file: str) -> FormatError:
        """Return the same error with the file name filled in."""
        self.file = self.file or file
        return self

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            return f"{where}: field {self.field}: {self.message}"
        return f"{where}: {self.message}"


class InvalidFormat(FormatError):
    """The file as a whole is not of the expected format (bad header, truncated)."""


class InvalidValue(FormatError):
    """One value in one row is wrong (not a number, a bad date, an unknown code)."""


@dataclass
class ReadResult(Generic[T]):
    """What a reader returns: the good rows, and one error per rejected row."""

    rows: list[T] = field(default_factory=list)
    errors: list[FormatError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors
