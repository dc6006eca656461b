"""Find the records a command names, or say clearly which one does not exist."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Activity, Student
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook

LIMITS = {"name": 200, "email": 254, "specialisation": 200, "title": 300, "location": 300,
          "organiser": 300, "note": 2000, "feedback": 5000, "by": 200, "reason": 500}
MULTILINE = {"note", "feedback", "reason"}  # may hold line breaks; other fields are one line
# Control characters (C0, DEL, C1): a line break is allowed where MULTILINE says so.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\n\r\t]")


def normalise_number(raw: str, book: RuleBook) -> str:
    """A student number as stored: lower-case, without spaces; checked against the rules."""
    number = "".join(raw.split()).lower()
    if not number or not book.student_number_matches(number):
        raise InvalidInput(f"student number {raw!r} is not valid: expected the form "
                           f"{book.student_number_pattern} (e.g. s1234567)")
    return number


def text_field(field: str, value: str | None, *, required: bool = False) -> str | None:
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


def find_student(session: Session, raw_number: str, book: RuleBook) -> Student:
    number = normalise_number(raw_number, book)
    student = session.scalars(select(Student).where(Student.number == number)).first()
    if student is None:
        raise NotFound(f"no student {number}: register them with `tracker student add`")
    return student


def find_students(session: Session, raw_numbers: Iterable[str],
                  book: RuleBook) -> list[Student]:
    """Every named student, in the order given (duplicates dropped); all must exist."""
    numbers = list(dict.fromkeys(normalise_number(raw, book) for raw in raw_numbers))
    found = {s.number: s for s in session.scalars(
        select(Student).where(Student.number.in_(numbers)))}
    missing = [n for n in numbers if n not in found]
    if missing:
        raise NotFound(f"no student {', '.join(missing)}: nothing was recorded; register "
                       "them with `tracker student add` first")
    return [found[n] for n in numbers]


def find_activity(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(f"no activity #{activity_id}: `tracker activity list` shows them")
    return activity
