"""Problems found in data: where (file, record, field) and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.field}: {self.message}"


class CatalogError(Exception):
    """The catalog could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog; first: {problems[0]}")


class UserError(Exception):
    """Bad input from a user: the message says what was wrong and what to do."""


class SettingError(UserError):
    """An environment setting holds a value the code cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"{name}={value[:80]!r} is not usable: expected {expected}")
