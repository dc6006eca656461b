"""What a value typed on the command line or read from a file must look like.

Each function returns the value cleaned, or refuses it with a sentence that names the
field and the problem in words. Pure: no database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from tracker.errors import InvalidInput
from tracker.rules.model import RuleBook

LIMITS = {"name": 200, "email": 254, "specialisation": 200, "title": 300, "location": 300,
          "organiser": 300, "note": 2000, "feedback": 5000, "by": 200, "reason": 500}
MULTILINE = {"note", "feedback", "reason"}  # may hold line breaks; other fields are one line
# Control characters (C0, DEL, C1): a line break is allowed where MULTILINE says so.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\n\r\t]")


def text(field: str, value: str | None, *, required: bool = False) -> str | None:
    """A free-text value, trimmed; empty means absent; too long is refused."""
    cleaned = value.strip() if value is not None else None
    if not cleaned:
        if required:
            raise InvalidInput(f"{field} must not be empty")
        return None
    if _CONTROL.search(cleaned) or (field not in MULTILINE and _LINE_BREAK.search(cleaned)):
        raise InvalidInput(f"{field} contains a control character or line break: "
                           f"{cleaned[:40]!r}")
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid text: {cleaned[:40]!r}") from None
    limit = LIMITS[field]
    if len(cleaned) > limit:
        raise InvalidInput(f"{field} is {len(cleaned)} characters long; at most {limit} "
                           "are allowed")
    return cleaned


def required_text(field: str, value: str | None) -> str:
    cleaned = text(field, value, required=True)
    assert cleaned is not None
    return cleaned


def student_number(raw: str, book: RuleBook) -> str:
    """A student number as stored: lower-case, without spaces; checked against the rules."""
    number = "".join(raw.split()).lower()
    if not number:
        raise InvalidInput(f"the student number is empty: expected {book.student_number_form}")
    if not book.student_number_matches(number):
        raise InvalidInput(f"{raw.strip()!r} is not a student number: expected "
                           f"{book.student_number_form}")
    return number


def door_number(raw: str, *, leiden: bool) -> str:
    """A line typed or scanned at the door, as the student number it is meant to be.

    Any case; whitespace, control and format characters around it (a scanner's STX/ETX
    and CR, a file's BOM) and Code 39's start/stop asterisks (``*s1234567*``) are dropped;
    with the Leiden pattern (``leiden``), 7 digits alone (``1234567``) mean ``s1234567``.
    The result is not checked: that is :meth:`RuleBook.student_number_matches`'s job.
    """
    number = "".join(unwrap_scan(raw).split()).lower()
    if leiden and len(number) == 7 and number.isascii() and number.isdigit():
        return "s" + number
    return number


def unwrap_scan(raw: str) -> str:
    """``raw`` without the whitespace, control and format characters and asterisks
    around it: what was typed or scanned, as :func:`door_number` reads it."""
    start, end = 0, len(raw)
    while start < end and _wraps_a_scan(raw[start]):
        start += 1
    while end > start and _wraps_a_scan(raw[end - 1]):
        end -= 1
    return raw[start:end]


def _wraps_a_scan(character: str) -> bool:
    return (character == "*" or character.isspace()
            or unicodedata.category(character) in ("Cc", "Cf"))


def email(value: str | None) -> str | None:
    cleaned = text("email", value)
    if cleaned is not None and ("@" not in cleaned or " " in cleaned):
        raise InvalidInput(f"e-mail {cleaned!r} is not an e-mail address")
    return cleaned


def cohort_bounds(cohort: int) -> tuple[date, date]:
    """Students of cohort YYYY started in that calendar year (September or February)."""
    if not 1900 <= cohort <= 9999:
        raise InvalidInput(f"cohort {cohort} is not a year")
    return date(cohort, 1, 1), date(cohort, 12, 31)
