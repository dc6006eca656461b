"""Queries and writes of participations: who was at which activity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, tuple_, update
from sqlalchemy.orm import Session

from tracker.db import tallies
from tracker.db.bulk import MissingRowInserter
from tracker.db.models import Activity, Participation

_COLUMNS = ("student_id", "activity_id", "status", "recorded_by", "recorded_at", "source",
            "note", "change_id")


@dataclass(frozen=True, slots=True)
class ParticipationRow:
    """A participation to write: a student at an activity, as attended or excused, from
    a source (``typed``, ``checkin``, or a file, with its ``line``), with an optional
    note. Who recorded it, when, and in which change, the writer adds."""

    student_id: int
    activity_id: int
    status: str
    source: str
    line: int | None = None
    note: str | None = None

    @property
    def pair(self) -> tuple[int, int]:
        return self.student_id, self.activity_id

    @property
    def stored_source(self) -> str:
        """The source as the participation keeps it: ``sheet.csv:12`` for a file's line."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


class Writer(MissingRowInserter):
    """Writes :class:`ParticipationRow` s of one change; a student already at the
    activity is skipped (also when another coordinator recorded them a moment ago).
    The students written are marked for their tallies to be counted again."""

    def __init__(self, session: Session, change_id: int, actor: str,
                 recorded_at: datetime) -> None:
        super().__init__(session, cast(Table, Participation.__table__), _COLUMNS,
                         ("student_id", "activity_id"))
        self.session = session
        self.change_id, self.actor = change_id, actor
        self.recorded_at = self.value("recorded_at", recorded_at)  # once, not per row

    def insert_rows(self, rows: Sequence[ParticipationRow]) -> int:
        """Insert the rows whose student is not at the activity yet; how many were new."""
        tallies.mark(self.session, (row.student_id for row in rows))
        change_id, actor, at = self.change_id, self.actor, self.recorded_at
        return self.insert([(row.student_id, row.activity_id, row.status, actor, at,
                             row.stored_source, row.note, change_id) for row in rows])


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
