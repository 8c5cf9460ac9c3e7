"""Dates as precise as their sources: a day, a month or a year."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to a day, a month or a year.

    Compared and sorted by its first day: a month-only date counts as the
    first of the month.
    """

    start: date
    text: str = field(compare=False)

    @property
    def end(self) -> date:
        """Last day of the period the date covers."""
        if self.precision == "day":
            return self.start
        if self.precision == "year":
            return date(self.start.year, 12, 31)
        nxt = date(self.start.year + (self.start.month == 12), self.start.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    @property
    def precision(self) -> str:
        return {10: "day", 7: "month", 4: "year"}[len(self.text)]

    def __str__(self) -> str:
        return self.text


def parse_date(text: str | date | PartialDate) -> PartialDate:
    """Parse `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; raise ValueError saying what is expected."""
    if isinstance(text, PartialDate):
        return text
    if isinstance(text, date):
        return PartialDate(text, text.isoformat())
    raw = str(text).strip()
    m = _PATTERN.match(raw)
    if not m:
        raise ValueError(f"{raw!r} is not a date; use YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        return PartialDate(date(year, month, day), raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a real calendar date") from None
