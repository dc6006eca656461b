"""Calendar months (``YYYY-MM``) and dates: as the tracker writes them, as the command line
takes them, and as coordinators' files hold them.

Typed on the command line a date is ``YYYY-MM-DD`` and a month ``YYYY-MM``. A file says
more: dates day first (``3-10-2025``, ``03/10/2025``, ``03.10.2025``, perhaps followed by
``00:00:00`` as Excel saves them) and start months by name (``sep-24``, ``okt 2024``) or
as their first day. Day first always: a date is never read month first, so ``03/10/2025``
is the 3rd of October and ``10/13/2025`` is refused, never silently misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.characters import shown
from tracker.errors import InvalidInput

FIRST_YEAR, LAST_YEAR = 1900, 2200  # the years a date or a month may fall in

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")

# --- as files write them
_MIDNIGHT = re.compile(r"(?:[ T]+0?0:00(?::00(?:\.0+)?)?)$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
_NUMBERED_MONTH = re.compile(r"^(\d{1,2})[-/.](\d{4})$")  # 09-2024
_NAMED_MONTH = re.compile(r"^([^\W\d_]+)\.?[\s\-/.]*(\d{2}|\d{4})$")  # sep-24, okt 2024
# English and Dutch names and abbreviations, as Excel and people write them.
MONTH_WORDS = {
    **{name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name: number for number, name in enumerate(
        ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
         "september", "oktober", "november", "december"), start=1)},
    "jan": 1, "feb": 2, "mar": 3, "mrt": 3, "maa": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
}


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month; the unit of start dates and requirement-set boundaries."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str, *, what: str = "month") -> Month:
        match = _MONTH.match(text)
        if not match:
            raise InvalidInput(f"{what} '{shown(text)}' is not a month of the form YYYY-MM, "
                               "e.g. 2024-09")
        year, month = int(match.group(1)), int(match.group(2))
        check_year(text, what, year)
        if not 1 <= month <= 12:
            raise InvalidInput(f"{what} '{shown(text)}': there is no month {month} (months run "
                               "from 01 to 12)")
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def number(self) -> int:
        """Months since the start of year 0: consecutive months differ by one (the
        database keeps this number beside dates, see tracker.db.models.base)."""
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
        raise InvalidInput(f"{what} '{shown(text)}' is not a date of the form YYYY-MM-DD, "
                           "e.g. 2024-10-03")
    year, month, day = (int(part) for part in match.groups())
    return _day(text, what, year, month, day)


def _day(text: str, what: str, year: int, month: int, day: int) -> date:
    check_year(text, what, year)
    if not 1 <= month <= 12:
        raise InvalidInput(f"{what} '{shown(text)}': there is no month {month} (months run from "
                           "01 to 12; dates are read day first)")
    last = Month(year, month).last_day().day
    if not 1 <= day <= last:
        raise InvalidInput(f"{what} '{shown(text)}': {_MONTH_NAMES[month - 1]} {year} has no day "
                           f"{day} (it has {last})")
    return date(year, month, day)


def check_year(text: str, what: str, year: int) -> None:
    if year < FIRST_YEAR:
        raise InvalidInput(f"{what} '{shown(text)}': the year {year} is before {FIRST_YEAR}")
    if year > LAST_YEAR:
        raise InvalidInput(f"{what} '{shown(text)}': the year {year} is after {LAST_YEAR}")


def read_date(text: str, *, what: str = "date") -> date:
    """A day as a file gives it: ``2025-10-03``, or day first ``3-10-2025``,
    ``03/10/2025``, ``03.10.2025``; any of them followed by a midnight time."""
    cleaned = _MIDNIGHT.sub("", text.strip())
    if not cleaned:
        raise InvalidInput(f"{what} is empty: give the day, e.g. 2025-10-03")
    iso = _ISO_DAY.match(cleaned)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _day(text, what, year, month, day)
    day_first = _DAY_FIRST.match(cleaned)
    if day_first is None:
        raise InvalidInput(f"{what} '{shown(text)}' is not a date: write it as 2025-10-03 or "
                           "3-10-2025 (day first)")
    day, month, written_year = (int(day_first.group(1)), int(day_first.group(3)),
                                day_first.group(4))
    if len(written_year) == 2:
        raise InvalidInput(f"{what} '{shown(text)}': write the year in full, e.g. "
                           f"{day}-{month}-20{written_year}")
    return _day(text, what, int(written_year), month, day)


def read_month(text: str, *, what: str = "start") -> Month:
    """A month as a file gives it: ``2024-09``, ``09-2024``, a name and a year in English
    or Dutch (``sep-24``, ``sept 2024``, ``okt-24``, ``mrt 2025``), or its first day in
    any form :func:`read_date` reads (``1-9-2024``, ``2024-09-01``)."""
    cleaned = text.strip()
    if _MONTH.match(cleaned):
        return Month.parse(cleaned, what=what)
    numbered = _NUMBERED_MONTH.match(cleaned)
    if numbered:
        return Month.parse(f"{numbered.group(2)}-{numbered.group(1)}", what=what)
    named = _NAMED_MONTH.match(cleaned)
    if named:
        number = MONTH_WORDS.get(named.group(1).lower())
        if number is None:
            raise InvalidInput(f"{what} '{shown(text)}': '{shown(named.group(1))}' is not the "
                               "name of a month (in English or Dutch)")
        year = named.group(2)
        return Month.parse(f"{'20' + year if len(year) == 2 else year}-{number}", what=what)
    try:
        day = read_date(cleaned, what=what)
    except InvalidInput:
        if _DAY_FIRST.match(_MIDNIGHT.sub("", cleaned)) or _ISO_DAY.match(cleaned):
            raise
        raise InvalidInput(f"{what} '{shown(text)}' is not a month: write it as 2024-09, sep-24 "
                           "or 1-9-2024") from None
    if day.day != 1:
        raise InvalidInput(f"{what} '{shown(text)}' is a day, not a month: give the month "
                           f"({Month.of(day)}) or its first day")
    return Month.of(day)


def programme_year(start: Month, day: date) -> int:
    """The programme year ``day`` falls in: 1 for the first twelve months from ``start``.

    Days before the start month give 0 (before the programme).
    """
    offset = start.months_until(Month.of(day))
    return 0 if offset < 0 else offset // 12 + 1
