"""What a value typed on the command line or read from a file must look like.

Each function returns the value cleaned, or refuses it with a sentence that names the
field and the problem in words. Pure: no database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from tracker.characters import invisible, shown
from tracker.errors import InvalidInput
from tracker.months import FIRST_YEAR, LAST_YEAR
from tracker.rules.model import RuleBook

LIMITS = {"name": 200, "email": 254, "specialisation": 200, "title": 300, "location": 300,
          "organiser": 300, "note": 2000, "feedback": 5000, "by": 200, "reason": 500,
          "description": 2000}
MULTILINE = {"note", "feedback", "reason", "description"}  # may hold line breaks
NUMBER_LENGTH = 32  # characters of a student number, as the database keeps it
_LINE_BREAK = re.compile(r"[\n\r\t\u2028\u2029]")


def digits(value: str) -> bool:
    """Only the digits 0 to 9 (``str.isdigit`` also takes ², ① and other scripts'
    digits, some of which ``int`` refuses: a typed or linked number is checked here)."""
    return value.isascii() and value.isdigit()


def text(field: str, value: str | None, *, required: bool = False) -> str | None:
    """A free-text value, trimmed; empty means absent; too long is refused.

    Characters a reader cannot see are refused (see :mod:`tracker.characters`). A
    multi-line field keeps its line breaks, each as one ``\\n`` however the file ended
    its lines.
    """
    cleaned = value.strip() if value is not None else None
    if cleaned and field in MULTILINE and "\r" in cleaned:
        cleaned = cleaned.replace("\r\n", "\n").replace("\r", "\n")
    if not cleaned:
        if required:
            raise InvalidInput(f"{field} must not be empty")
        return None
    if field not in MULTILINE and _LINE_BREAK.search(cleaned):
        raise InvalidInput(f"{field} contains a control character or line break: "
                           f"'{shown(cleaned)}'")
    hidden = invisible(cleaned)
    if hidden is not None:
        raise InvalidInput(f"{field} contains a control or invisible character ({hidden}), "
                           f"which can hide or reorder text: '{shown(cleaned)}'")
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
    """A student number as stored: lower-case, without spaces; checked against the rules.

    With the Leiden pattern, seven digits alone (``1234567``) are ``s1234567``, as at
    the door: a number copied from a list that has only the digits.
    """
    number = "".join(raw.split()).lower()
    if not number:
        raise InvalidInput(f"the student number is empty: expected {book.student_number_form}")
    if len(number) > NUMBER_LENGTH:
        raise InvalidInput(f"'{shown(raw.strip())}' is not a student number: it has "
                           f"{len(number)} characters, and a number at most {NUMBER_LENGTH}")
    if book.reads_bare_digits and len(number) == 7 and number.isascii() and number.isdigit():
        number = "s" + number
    if not book.student_number_matches(number):
        raise InvalidInput(f"'{shown(raw.strip())}' is not a student number: expected "
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
    """An e-mail address of one mailbox, checked by ``email-validator`` (its form only:
    nothing is looked up on the network). ``a@example.org>,<b@evil.example`` is two
    addresses and refused, as is ``a@b@c``."""
    cleaned = text("email", value)
    if cleaned is None:
        return None
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"e-mail '{shown(cleaned)}' is not an e-mail address: "
                           f"{error}") from None
    return cleaned


def cohort_bounds(cohort: int) -> tuple[date, date]:
    """Students of cohort YYYY started in that calendar year (September or February)."""
    if not FIRST_YEAR <= cohort <= LAST_YEAR:
        raise InvalidInput(f"cohort {cohort} is not a year from {FIRST_YEAR} to {LAST_YEAR}")
    return date(cohort, 1, 1), date(cohort, 12, 31)
