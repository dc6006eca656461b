"""Sign-in sheets and other systems' exports of who attended, streamed in batches."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import NamedTuple, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from tracker import fields
from tracker.characters import shown
from tracker.db import activities, participations, students
from tracker.db.activities import Scheduled
from tracker.db.bulk import rows_by_key
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import Participation
from tracker.db.participations import ParticipationRow
from tracker.errors import TrackerError
from tracker.months import read_date
from tracker.service.activities import known_kind
from tracker.service.attendance import (
    Outcome,
    Written,
    refuse_future_attendance,
    what_a_row_does,
    write_participations,
)
from tracker.service.import_driver import (
    EXAMPLES_SHOWN,
    ImportSummary,
    Noun,
    Progress,
    Tally,
    run_import,
)
from tracker.service.rules import rules_in_force
from tracker.sheets.header import Header
from tracker.vocabulary import ChangeKind, ParticipationStatus, one_of, words

_STATUSES = words(ParticipationStatus)
_ATTENDED = ParticipationStatus.ATTENDED.value
ATTENDANCE_HEADER = "student_number,activity_id[,status,note] or student_number,kind,date,title"
_UNCHANGED = Written(Outcome.UNCHANGED)


class SignIn(NamedTuple):
    """One line of a sheet: its student and activity (so that lines sort in key order
    as plain tuples), its number, and the row :func:`write_participations` takes."""

    student: int
    activity: int
    line: int
    row: ParticipationRow


def title_key(title: str) -> str:
    """Titles as a sheet matches them: case and surrounding space aside."""
    return " ".join(title.split()).casefold()


class AttendanceFile:
    """:meth:`parse` runs once per line of files with millions of lines: it works on plain
    tuples and dictionaries prepared in :meth:`begin`, and builds the row the writer
    takes, so that the writing is one executemany per batch."""

    noun = Noun("attendance", "attendances")
    change_kind = ChangeKind.ATTEND_IMPORT
    columns = ("student number", "activity id", "status", "note", "kind", "date", "title")
    batch = 5000
    check_all = False

    def __init__(self, today: date, dry_run: bool) -> None:
        self.today, self.dry_run = today, dry_run

    def begin(self, session: Session, header: Header, log: ChangeLog) -> None:
        self.file = header.file
        self.book = rules_in_force(session).book
        self.by_id = "activity id" in header
        header.require(["student number"] + (
            [] if self.by_id else ["kind", "date", "title"]), ATTENDANCE_HEADER)
        at = header.position
        self.number_at = cast(int, at("student number"))
        self.status_at, self.note_at, self.id_at = at("status"), at("note"), at("activity id")
        self.key_at = (at("kind"), at("date"), at("title"))
        self.students = students.ids_by_number(session)
        scheduled = activities.schedule(session)
        self.activities = {str(a.id): a for a in scheduled}
        self.by_key: dict[tuple[str, date, str], list[Scheduled]] = {}
        for a in scheduled:
            self.by_key.setdefault((a.kind, a.held_on, title_key(a.title)), []).append(a)
        self.change = log.change
        self.described: dict[int, tuple[str, Scheduled]] = {}  # first lines, dry run
        self.look_first = True  # for lines recorded already, before writing a batch

    def parse(self, line: int, values: list[str]) -> SignIn:
        student_id = self.students.get(values[self.number_at])
        if student_id is None:
            student_id = self._student(values[self.number_at])
        activity = self.activities.get(values[self.id_at]) if self.by_id else None  # type: ignore[index]
        if activity is None:
            activity = (self._activity_by_id(values) if self.by_id
                        else self._activity_by_key(values))
        status = _ATTENDED
        if self.status_at is not None and values[self.status_at]:
            status = self._status(values[self.status_at])
        if status == _ATTENDED and activity.held_on > self.today:
            refuse_future_attendance(activity.id, activity.held_on, self.today)
        note = None
        if self.note_at is not None and values[self.note_at]:
            note = fields.text("note", values[self.note_at])
        if self.dry_run and len(self.described) < EXAMPLES_SHOWN:
            self.described[line] = (values[self.number_at].strip(), activity)
        return SignIn(student_id, activity.id, line,
                      ParticipationRow(student_id, activity.id, status, self.file, line, note))

    def _student(self, raw: str) -> int:
        number = fields.student_number(raw, self.book)
        student_id = self.students.get(number)
        if student_id is None:
            raise TrackerError(f"no student {number}")
        self.students[raw] = student_id  # the next line with it, spelled the same: at once
        return student_id

    def _status(self, raw: str) -> str:
        status = raw.strip().lower()
        if not status:
            return _ATTENDED
        if status not in _STATUSES:
            raise TrackerError(f"status '{shown(raw.strip())}' is not "
                               f"{one_of(ParticipationStatus)}")
        return status

    def _activity_by_id(self, values: list[str]) -> Scheduled:
        assert self.id_at is not None
        raw = values[self.id_at]
        activity = self.activities.get(raw)
        if activity is not None:
            return activity
        cleaned = raw.strip().lstrip("#")
        if not (cleaned.isascii() and cleaned.isdigit()):
            raise TrackerError(f"activity id '{shown(raw.strip())}' is not a number")
        activity = self.activities.get(str(int(cleaned)))
        if activity is None:
            raise TrackerError(f"no activity #{shown(cleaned)}")
        return activity

    def _activity_by_key(self, values: list[str]) -> Scheduled:
        kind_at, date_at, title_at = self.key_at
        assert kind_at is not None and date_at is not None and title_at is not None
        kind = known_kind(values[kind_at], self.book)
        held_on = read_date(values[date_at])
        title = values[title_at].strip()
        found = self.by_key.get((kind, held_on, title_key(title)), [])
        if len(found) > 1:  # titles that differ only in case: the one spelled so, if any
            found = [a for a in found if a.title == title] or found
        if len(found) == 1:
            return found[0]
        if not found:
            raise TrackerError(f"no {kind} on {held_on} titled '{shown(title)}': "
                               "schedule it first")
        raise TrackerError(f"{len(found)} activities of {kind} on {held_on} are titled "
                           f"'{shown(title)}' but for capitals: give the activity_id "
                           f"({', '.join(f'#{a.id}' for a in found)})")

    def apply(self, session: Session, log: ChangeLog, items: list[SignIn],
              tally: Tally) -> None:
        # In key order: two commands writing the same rows wait for each other, never
        # each for the other (see tracker.db.contention).
        items = sorted(items)
        recorded: list[SignIn] = []
        new = items
        if self.look_first:
            recorded, new = self._recorded_already(session, items)
        written = write_participations(session, self.change, [item.row for item in new])
        outcomes = list(zip(new, written, strict=True))
        all_new = not recorded and all(w.outcome == Outcome.ADDED for w in written)
        # A first import finds nothing recorded: it stops looking (a batch it should
        # have looked at is still right, only slower) until a batch finds something.
        self.look_first = not all_new
        if all_new:
            tally.added += len(new)
        else:
            outcomes += [(item, _UNCHANGED) for item in recorded]
            self._count(outcomes, tally, session)
        if self.dry_run:
            self._describe(outcomes, tally)

    def _recorded_already(self, session: Session, items: list[SignIn]) \
            -> tuple[list[SignIn], list[SignIn]]:
        """The lines that say what an earlier command recorded, and the others. Found
        with one light query, not by loading a record per line: a sheet imported again
        is mostly such lines."""
        held = rows_by_key(session, cast(Table, Participation.__table__),
                           ("student_id", "activity_id"), ("status", "note", "change_id"),
                           [item[:2] for item in items])
        if not held:
            return [], items
        times = Counter(item[:2] for item in items)
        recorded, new = [], []
        for item in items:
            pair = item[:2]
            found = held.get(pair)
            if (found is not None and times[pair] == 1 and found[2] != self.change.id
                    and found[0] == item.row.status and item.row.note in (None, found[1])):
                recorded.append(item)
            else:
                new.append(item)
        return recorded, new

    def _count(self, outcomes: list[tuple[SignIn, Written]], tally: Tally,
               session: Session) -> None:
        conflicts = []
        for item, done in outcomes:
            outcome = done.outcome
            if outcome == Outcome.ADDED:
                tally.added += 1
            elif outcome == Outcome.UNCHANGED:
                tally.present += 1
            elif outcome == Outcome.CONFLICT:
                conflicts.append((item, done.earlier))
            else:
                tally.updated += 1
                tally.downgraded += outcome == Outcome.DOWNGRADED
        if conflicts:
            held = participations.held(session, (item[:2] for item, _ in conflicts))
            for item, said in sorted(conflicts, key=lambda conflict: conflict[0].line):
                # an earlier line of this batch, or this import's record from an earlier one
                if said is not None:
                    earlier = f"line {said.line} as {said.status}"
                else:
                    record = held[(item.student, item.activity)]
                    where = record.source
                    if where.startswith(f"{self.file}:"):
                        where = f"line {where.rsplit(':', 1)[1]}"
                    earlier = f"{where} as {record.status}"
                tally.problem(item.line,
                              f"the same student at activity #{item.activity} is on "
                              f"{earlier}{' with another note' if item.row.note else ''}"
                              f"; this line says {item.row.status}")

    def _describe(self, outcomes: list[tuple[SignIn, Written]], tally: Tally) -> None:
        for item, done in sorted(outcomes, key=lambda pair: pair[0].line):
            described = self.described.get(item.line)
            if described is None:
                tally.example_count += 1
                continue
            number, activity = described
            tally.example(f"line {item.line}: " + what_a_row_does(
                done.outcome, number, item.row.status, f"#{activity.id} {activity.title}"))


def import_attendance(db: Database, path: Path, *, dry_run: bool = False,
                      by: str | None = None, on_progress: Progress | None = None,
                      today: date | None = None) -> ImportSummary:
    return run_import(db, path, AttendanceFile(today or date.today(), dry_run),
                      dry_run=dry_run, by=by, on_progress=on_progress)

