"""Queries and writes of participations: who was at which activity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.orm import Session

from tracker.db import tallies
from tracker.db.bulk import MissingRowInserter
from tracker.db.models import Activity, Participation

COLUMNS = ("student_id", "activity_id", "status", "recorded_by", "recorded_at", "source",
           "note", "change_id")


class Writer(MissingRowInserter):
    """Writes participations as tuples in :data:`COLUMNS` order; a student already at
    the activity is skipped (also when another coordinator recorded them a moment ago).
    The students written are marked for their tallies to be counted again."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, cast(Table, Participation.__table__), COLUMNS,
                         ("student_id", "activity_id"))
        self.session = session

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> int:
        tallies.mark(self.session, (row[0] for row in rows))
        return super().insert(rows)


def writer(session: Session) -> Writer:
    return Writer(session)


def at_activity(session: Session, activity_id: int,
                student_ids: Iterable[int]) -> dict[int, Participation]:
    """The participations at an activity of these students, by student id."""
    return {p.student_id: p for p in session.scalars(select(Participation).where(
        Participation.activity_id == activity_id,
        Participation.student_id.in_(list(student_ids))))}


def held(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int],
                                                                      Participation]:
    """The participations of these (student id, activity id) pairs that exist."""
    wanted = list(pairs)
    if not wanted:
        return {}
    found = session.scalars(select(Participation).where(
        tuple_(Participation.student_id, Participation.activity_id).in_(wanted)))
    return {(p.student_id, p.activity_id): p for p in found}


def recorded_by_others(session: Session, activity_id: int, student_ids: Iterable[int],
                       change_id: int) -> set[int]:
    """Of these students, those recorded at the activity by another change than ours."""
    return set(session.scalars(select(Participation.student_id).where(
        Participation.activity_id == activity_id,
        Participation.student_id.in_(list(student_ids)),
        Participation.change_id != change_id)))


def of_student(session: Session, student_id: int) -> list[Any]:
    """Every participation of a student, with its activity, by date."""
    return list(session.execute(
        select(Activity.id, Activity.kind, Activity.held_on, Activity.title,
               Participation.status, Participation.recorded_by, Participation.recorded_at,
               Participation.source, Participation.note)
        .join(Activity, Activity.id == Participation.activity_id)
        .where(Participation.student_id == student_id)
        .order_by(Activity.held_on, Activity.id)))



def erase_notes(session: Session, student_id: int) -> None:
    session.execute(update(Participation).where(Participation.student_id == student_id)
                    .values(note=None))


def for_rules(session: Session, student_id: int) -> list[tuple[int, str, date, str, str]]:
    """(activity id, kind, day, title, status) of every participation of a student."""
    return [(id_, kind, held_on, title, status) for id_, kind, held_on, title, status in
            session.execute(select(Activity.id, Activity.kind, Activity.held_on, Activity.title,
                                   Participation.status)
                            .join(Activity, Activity.id == Participation.activity_id)
                            .where(Participation.student_id == student_id))]
