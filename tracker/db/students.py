"""Queries about students."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, func, insert, select
from sqlalchemy.orm import Session

from tracker.db.models import AssignmentRecord, Participation, Student
from tracker.db.models.base import month_number
from tracker.db.which import Which
from tracker.errors import NotFound
from tracker.vocabulary import (
    AssignmentStatus,
    ParticipationStatus,
    StudentStatus,
)


def registered() -> ColumnElement[bool]:
    """Students whose data is held (not erased)."""
    return Student.forgotten_at.is_(None)


def by_number(session: Session, number: str) -> Student | None:
    return session.scalars(select(Student).where(Student.number == number)).first()


def require(session: Session, number: str) -> Student:
    """The student with this (normalised) number, or a clear refusal."""
    student = by_number(session, number)
    if student is None:
        raise NotFound(_not_registered(session, number))
    return student


def _not_registered(session: Session, number: str) -> str:
    from tracker.db import erasures  # (a command that finds its student never needs it)

    erased_on = erasures.Erased(session).erased_on(number)
    if erased_on is not None:
        return (f"no student {number}: their data was erased on {erased_on:%Y-%m-%d} at "
                "their request (`tracker student add --re-register` registers them again)")
    if session.scalar(select(Student.id).limit(1)) is None:
        return f"no student {number}: {NO_STUDENTS_YET}"
    return f"no student {number}: register them with `tracker student add`"


# A student who installs the tracker and asks for their progress finds an empty database:
# say whose database this is, and where a student's progress is found.
NO_STUDENTS_YET = (
    "this database has no students at all. It is a coordinator's database: the "
    "coordinator of your programme keeps the records, and students see their progress on "
    "the programme's portal (sign in there with your e-mail address; the coordinator "
    "gives its address), in the reminders and in Brightspace. (Coordinators: register "
    "students with `tracker student add` or `tracker student import`, and open the "
    "portal to them with `tracker serve`.)")


def require_all(session: Session, numbers: Iterable[str]) -> list[Student]:
    """Every named student, in the order given (duplicates dropped); all must exist."""
    wanted = list(dict.fromkeys(numbers))
    found = {s.number: s for s in session.scalars(
        select(Student).where(Student.number.in_(wanted)))}
    missing = [n for n in wanted if n not in found]
    if len(missing) == 1:
        raise NotFound(f"{_not_registered(session, missing[0])}; nothing was recorded")
    if missing:
        raise NotFound(f"no student {', '.join(missing)}: nothing was recorded; register "
                       "them with `tracker student add` first")
    return [found[n] for n in wanted]


def listing(session: Session, started: tuple[date, date] | None = None) -> list[Student]:
    """Registered students (who started between the two days, if given), by start."""
    which = registered() if started is None else and_(registered(),
                                                      Student.start.between(*started))
    return list(session.scalars(select(Student).where(which)
                                .order_by(Student.start, Student.number)))


def by_number_all(session: Session) -> dict[str, Student]:
    return {s.number: s for s in session.scalars(select(Student))}


class Registered(NamedTuple):
    """A registered student's details as an import compares them: light enough to hold
    for every student at once."""

    id: int
    name: str
    start: date
    email: str | None
    specialisation: str | None

    @property
    def details(self) -> tuple[str, date, str | None, str | None]:
        return self.name, self.start, self.email, self.specialisation


def details_by_number(session: Session) -> dict[str, Registered]:
    return {number: Registered(id_, name, start, email, specialisation)
            for number, id_, name, start, email, specialisation in session.execute(
                select(Student.number, Student.id, Student.name, Student.start,
                       Student.email, Student.specialisation))}


def register_many(session: Session,
                  details: Sequence[tuple[str, str, date, str | None, str | None]]) \
        -> list[Student]:
    """New students (number, name, start, email, specialisation) in one statement; their
    rows, in the order given. (The ORM would insert them one by one on SQLite, to learn
    each new id.)"""
    if not details:
        return []
    session.execute(insert(Student), [
        {"number": number, "name": name, "start": start, "email": email,
         "specialisation": specialisation, "start_month_number": month_number(start),
         "status": StudentStatus.ACTIVE.value}
        for number, name, start, email, specialisation in details])
    numbers = [number for number, *_ in details]
    found = {s.number: s for s in session.scalars(
        select(Student).where(Student.number.in_(numbers)))}
    return [found[number] for number in numbers]


def by_ids(session: Session, ids: Iterable[int]) -> dict[int, Student]:
    wanted = list(ids)
    return {s.id: s for s in session.scalars(select(Student).where(Student.id.in_(wanted)))
            } if wanted else {}


def ids_by_number(session: Session) -> dict[str, int]:
    return {number: id_ for number, id_ in session.execute(select(Student.number, Student.id))}


def start_groups(session: Session) -> list[tuple[date, str | None, int]]:
    """(start, override, how many registered students) for every such group."""
    return [(start, override, count) for start, override, count in session.execute(
        select(Student.start, Student.rules_override, func.count())
        .where(registered()).group_by(Student.start, Student.rules_override))]


def numbers(session: Session) -> list[str]:
    """Every registered student's number, in order."""
    return list(session.scalars(select(Student.number).where(registered())
                                .order_by(Student.number)))


def tallies(session: Session, student_id: int) -> tuple[int, int, int]:
    """(activities attended, activities excused, assignments approved): one query."""
    attended = (select(func.count()).where(
        Participation.student_id == student_id,
        Participation.status == ParticipationStatus.ATTENDED).scalar_subquery())
    excused = (select(func.count()).where(
        Participation.student_id == student_id,
        Participation.status == ParticipationStatus.EXCUSED).scalar_subquery())
    approved = (select(func.count()).where(
        AssignmentRecord.student_id == student_id,
        AssignmentRecord.status == AssignmentStatus.APPROVED).scalar_subquery())
    row = session.execute(select(attended, excused, approved)).one()
    return int(row[0]), int(row[1]), int(row[2])


def emails(session: Session, which: Which) -> dict[int, str | None]:
    return {id_: email for id_, email in session.execute(
        select(Student.id, Student.email).where(which.condition), which.values)}


def at_the_door(session: Session) -> dict[str, tuple[int, str]]:
    """Every registered student's number -> (id, name): what a check-in looks up."""
    return {number: (id_, name) for number, id_, name in session.execute(
        select(Student.number, Student.id, Student.name).where(registered()))}


def still_at_the_door(session: Session, student_id: int, number: str) -> bool:
    """Whether the student :func:`at_the_door` read is registered with that number still
    (not erased since): a door that stays open checks at each scan."""
    return session.scalar(select(Student.id).where(
        Student.id == student_id, Student.number == number, registered())) is not None
