"""Calendar months (``YYYY-MM``) and dates as the tracker reads and writes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.errors import InvalidInput

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; the unit of start dates and requirement-set boundaries."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, what: str = "month") -> Month:
        match = _MONTH.match(text)
        if not match:
            raise InvalidInput(f"{what} {text!r} is not a month of the form YYYY-MM, "
                               "e.g. 2024-09")
        year, month = int(match.group(1)), int(match.group(2))
        _check_year(text, what, year)
        if not 1 <= month <= 12:
            raise InvalidInput(f"{what} {text!r}: there is no month {month} (months run "
                               "from 01 to 12)")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def number(self) -> int:
        """Months since the start of year 0: consecutive months differ by one (the
        database keeps this number beside dates, see tracker.db.progress)."""
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> Month:
        index = self.number + months
        return Month(index // 12, index % 12 + 1)

    def months_until(self, other: Month) -> int:
        """How many months ``other`` lies after this month (negative if before)."""
        return other.number - self.number

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return self.plus(1).first_day() - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def parse_date(text: str, *, what: str = "date") -> date:
    """A day written YYYY-MM-DD; a wrong month or day is named as such."""
    match = _DATE.match(text)
    if not match:
        raise InvalidInput(f"{what} {text!r} is not a date of the form YYYY-MM-DD, "
                           "e.g. 2024-10-03")
    year, month, day = (int(part) for part in match.groups())
    _check_year(text, what, year)
    if not 1 <= month <= 12:
        raise InvalidInput(f"{what} {text!r}: there is no month {month} (months run from "
                           "01 to 12)")
    last = Month(year, month).last_day().day
    if not 1 <= day <= last:
        raise InvalidInput(f"{what} {text!r}: {_MONTH_NAMES[month - 1]} {year} has no day "
                           f"{day} (it has {last})")
    return date(year, month, day)


def _check_year(text: str, what: str, year: int) -> None:
    if year < 1900:
        raise InvalidInput(f"{what} {text!r}: the year {year} is before 1900")


def programme_year(start: Month, day: date) -> int:
    """The programme year ``day`` falls in: 1 for the first twelve months from ``start``.

    Days before the start month give 0 (before the programme).
    """
    offset = start.months_until(Month.of(day))
    return 0 if offset < 0 else offset // 12 + 1
