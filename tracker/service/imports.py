"""The kinds of file the tracker imports: class lists, a year's schedule, sign-in sheets.

Each says how to read its header and lines and how to apply them; the loop around them
(all or nothing, problems by line, dry runs, summaries) is :mod:`import_driver`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, assignments, erasures, history, participations, students
from tracker.db.activities import Scheduled
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import Activity, Student
from tracker.db.participations import ParticipationRow
from tracker.errors import ImportRefused, TrackerError
from tracker.months import Month, parse_date
from tracker.service.activities import known_kind
from tracker.service.assignments import Decision, decide, known_assignment
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
    require_columns,
    run_import,
)
from tracker.service.rules import rules_in_force
from tracker.vocabulary import (
    AssignmentStatus,
    ChangeKind,
    ParticipationStatus,
    one_of,
    words,
)


class Columns:
    """A header's columns by name: a line's field, trimmed, or '' where it has none."""

    def __init__(self, header: Sequence[str]) -> None:
        self.index = {name: i for i, name in enumerate(header)}

    def get(self, fields_: list[str], name: str) -> str:
        at = self.index.get(name)
        return "" if at is None else fields_[at].strip()


# --- students --------------------------------------------------------------------------

OUR_STUDENT_HEADER = "student_number,name,email,start[,specialisation]"
BRIGHTSPACE_HEADER = {"orgdefinedid", "username", "last name", "first name", "email"}
_DETAILS = ("name", "start", "email", "specialisation")


@dataclass(frozen=True, slots=True)
class StudentLine:
    line: int
    number: str
    details: tuple[str, date, str | None, str | None]  # as _DETAILS
    existing: students.Registered | None
    repeat: bool  # the same student with the same details on an earlier line


def _differences(held: Sequence[Any], wanted: Sequence[Any], there: str) -> str:
    """``name 'Ada' registered, 'Ada J.' here; start ...``: the fields that differ."""
    said = []
    for name, old, new in zip(_DETAILS, held, wanted, strict=True):
        if old != new:
            shown = [str(Month.of(v)) if isinstance(v, date) else repr(v) if v else "empty"
                     for v in (old, new)]
            said.append(f"{name} {shown[0]} {there}, {shown[1]} here")
    return "; ".join(said)


class StudentFile:
    """Our class list, or Brightspace's user export (one start month for the file)."""

    noun = Noun("student", "students")
    change_kind = ChangeKind.STUDENT_IMPORT
    batch = 500
    check_all = False

    def __init__(self, start: Month | None, update: bool, re_register: bool) -> None:
        self.start, self.update, self.re_register = start, update, re_register

    def begin(self, session: Session, file: str, header: Sequence[str],
              log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        self.brightspace = set(header) >= BRIGHTSPACE_HEADER
        if not self.brightspace:
            require_columns(file, header,
                            ["student number", "name"] + ([] if self.start else ["start"]),
                            f"{OUR_STUDENT_HEADER}, or Brightspace's user export")
        elif self.start is None:
            raise ImportRefused(f"{file}: a Brightspace export has no start month: "
                                "give --start YYYY-MM for the whole file")
        self.columns = Columns(header)
        self.registered = students.details_by_number(session)
        self.erased = erasures.Erased(session)
        self.in_file: dict[str, tuple[int, tuple[Any, ...]]] = {}

    def parse(self, line: int, values: list[str]) -> StudentLine:
        number, details = (self._brightspace(values) if self.brightspace
                           else self._ours(values))
        earlier = self.in_file.get(number)
        if earlier is not None:
            if earlier[1] != details:
                raise TrackerError(f"{number} is on line {earlier[0]} with other details: "
                                   f"{_differences(earlier[1], details, f'on line {earlier[0]}')}")
            return StudentLine(line, number, details, None, True)
        self.in_file[number] = (line, details)
        existing = self.registered.get(number)
        if existing is None and not self.re_register:
            self.erased.refuse(number)
        if existing is not None and not self.update:
            held = existing.details
            if held != details:
                differences = _differences(held, details, "registered")
                raise TrackerError(f"{number} is registered as {existing.name!r} with other "
                                   f"details ({differences}); --update applies the file's "
                                   "details")
        return StudentLine(line, number, details, existing, False)

    def _ours(self, values: list[str]) -> tuple[str, tuple[Any, ...]]:
        raw_start = self.columns.get(values, "start")
        month = Month.parse(raw_start, what="start") if raw_start else self.start
        if month is None:
            raise TrackerError("start is empty: give the start month, e.g. 2024-09")
        number = fields.student_number(self.columns.get(values, "student number"), self.book)
        return number, (fields.required_text("name", self.columns.get(values, "name")),
                        month.first_day(), fields.email(self.columns.get(values, "email")),
                        fields.text("specialisation",
                                    self.columns.get(values, "specialisation")))

    def _brightspace(self, values: list[str]) -> tuple[str, tuple[Any, ...]]:
        assert self.start is not None
        candidates = [self.columns.get(values, "orgdefinedid").lstrip("#"),
                      self.columns.get(values, "username").lstrip("#")]
        for candidate in candidates:
            try:
                number = fields.student_number(candidate, self.book)
                break
            except TrackerError:
                continue
        else:
            raise TrackerError(f"neither OrgDefinedId {candidates[0]!r} nor Username "
                               f"{candidates[1]!r} is {self.book.student_number_form}")
        name = fields.required_text("name", f"{self.columns.get(values, 'first name')} "
                                            f"{self.columns.get(values, 'last name')}")
        return number, (name, self.start.first_day(),
                        fields.email(self.columns.get(values, "email")), None)

    def apply(self, session: Session, log: ChangeLog, items: list[StudentLine],
              tally: Tally) -> None:
        # A batch is written in one flush, its history in one insert: a class list of
        # ten thousand students is not ten thousand round trips.
        corrected = [item for item in items if not item.repeat and item.existing is not None
                     and item.existing.details != item.details]
        rows = students.by_ids(session, [item.existing.id for item in corrected
                                         if item.existing is not None])
        written: list[tuple[Student, dict[str, Any] | None]] = []
        new: list[tuple[str, str, date, str | None, str | None]] = []
        for item in items:
            existing = item.existing
            name, start, email, specialisation = item.details
            if item.repeat or (existing is not None and existing.details == item.details):
                tally.present += 1
            elif existing is not None:
                student = rows[existing.id]
                before = history.snapshot(student)
                student.name, student.start = name, start
                student.email, student.specialisation = email, specialisation
                written.append((student, before))
                tally.updated += 1
                tally.example(f"line {item.line}: update {item.number} {name}")
            else:
                new.append((item.number, *item.details))
                tally.added += 1
                tally.example(f"line {item.line}: add {item.number} {name}, start "
                              f"{Month.of(start)}")
        session.flush()
        written += [(student, None) for student in students.register_many(session, new)]
        history.written(session, log.change, written)
        for student, _ in written:
            self.registered[student.number] = students.Registered(
                student.id, student.name, student.start, student.email,
                student.specialisation)
        for student, held_before in written:
            remembered = None if held_before is not None else self.erased.row(
                session, student.number)
            if remembered is not None:  # registered again, deliberately
                history.deleted(session, log.change, remembered)


def import_students(db: Database, path: Path, *, start: Month | None = None,
                    update: bool = False, dry_run: bool = False, by: str | None = None,
                    on_progress: Progress | None = None,
                    re_register: bool = False) -> ImportSummary:
    return run_import(db, path, StudentFile(start, update, re_register), dry_run=dry_run,
                      by=by, on_progress=on_progress)


# --- activities -------------------------------------------------------------------------

ACTIVITY_HEADER = "kind,date,title[,location][,organiser]"


@dataclass(frozen=True, slots=True)
class ActivityLine:
    line: int
    kind: str
    held_on: date
    title: str
    location: str | None
    organiser: str | None
    scheduled: bool  # already, or on an earlier line


class ActivityFile:
    """A schedule: one activity a line; one already scheduled is left as it is."""

    noun = Noun("activity", "activities")
    change_kind = ChangeKind.ACTIVITY_IMPORT
    batch = 500
    check_all = False

    def begin(self, session: Session, file: str, header: Sequence[str],
              log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        require_columns(file, header, ["kind", "date", "title"], ACTIVITY_HEADER)
        self.columns = Columns(header)
        self.known = activities.keys(session)

    def parse(self, line: int, values: list[str]) -> ActivityLine:
        get = self.columns.get
        kind = known_kind(get(values, "kind"), self.book)
        held_on = parse_date(get(values, "date"))
        title = fields.required_text("title", get(values, "title"))
        key = (kind, held_on, title)
        scheduled = key in self.known
        self.known.add(key)
        return ActivityLine(line, kind, held_on, title,
                            fields.text("location", get(values, "location")),
                            fields.text("organiser", get(values, "organiser")), scheduled)

    def apply(self, session: Session, log: ChangeLog, items: list[ActivityLine],
              tally: Tally) -> None:
        added: list[tuple[Activity, None]] = []
        for item in items:
            if item.scheduled:
                tally.present += 1
                continue
            activity = Activity(kind=item.kind, held_on=item.held_on, title=item.title,
                                location=item.location, organiser=item.organiser)
            session.add(activity)
            added.append((activity, None))
            tally.added += 1
            tally.example(f"line {item.line}: add {item.kind} {item.held_on} {item.title}")
        history.written(session, log.change, added)


def import_activities(db: Database, path: Path, *, dry_run: bool = False,
                      by: str | None = None,
                      on_progress: Progress | None = None) -> ImportSummary:
    return run_import(db, path, ActivityFile(), dry_run=dry_run, by=by,
                      on_progress=on_progress)


# --- attendance -------------------------------------------------------------------------

_STATUSES = words(ParticipationStatus)
_ATTENDED = ParticipationStatus.ATTENDED.value
ATTENDANCE_HEADER = "student_number,activity_id[,status,note] or student_number,kind,date,title"


class AttendanceFile:
    """A sign-in sheet or another system's export, streamed in batches.

    :meth:`parse` runs once per line of files with millions of lines: it works on plain
    tuples and dictionaries prepared in :meth:`begin`, and builds the typed row the
    writer takes, so that the writing is one executemany per batch.
    """

    noun = Noun("attendance", "attendances")
    change_kind = ChangeKind.ATTEND_IMPORT
    batch = 5000
    check_all = False

    def __init__(self, today: date, dry_run: bool) -> None:
        self.today, self.dry_run = today, dry_run
        self.described: dict[int, tuple[int, str, Scheduled]] = {}  # first lines, dry run

    def begin(self, session: Session, file: str, header: Sequence[str],
              log: ChangeLog) -> None:
        self.file = file
        self.book = rules_in_force(session).book
        self.by_id = "activity id" in header
        require_columns(file, header, ["student number"] + (
            [] if self.by_id else ["kind", "date", "title"]), ATTENDANCE_HEADER)
        index = {name: i for i, name in enumerate(header)}
        self.number_at = index["student number"]
        self.status_at, self.note_at = index.get("status"), index.get("note")
        self.id_at = index.get("activity id")
        self.key_at = (index.get("kind"), index.get("date"), index.get("title"))
        self.students = students.ids_by_number(session)
        scheduled = activities.schedule(session)
        self.activities = {str(a.id): a for a in scheduled}
        self.by_key = {(a.kind, a.held_on, a.title): a for a in scheduled}
        self.change = log.change

    def parse(self, line: int, values: list[str]) -> ParticipationRow:
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
            self.described[line] = (line, values[self.number_at].strip(), activity)
        return ParticipationRow(student_id, activity.id, status, self.file, line, note)

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
            raise TrackerError(f"status {raw.strip()!r} is not {one_of(ParticipationStatus)}")
        return status

    def _activity_by_id(self, values: list[str]) -> Scheduled:
        assert self.id_at is not None
        raw = values[self.id_at]
        activity = self.activities.get(raw)
        if activity is not None:
            return activity
        cleaned = raw.strip().lstrip("#")
        if not cleaned.isdigit():
            raise TrackerError(f"activity id {raw.strip()!r} is not a number")
        activity = self.activities.get(str(int(cleaned)))
        if activity is None:
            raise TrackerError(f"no activity #{cleaned}")
        return activity

    def _activity_by_key(self, values: list[str]) -> Scheduled:
        kind_at, date_at, title_at = self.key_at
        assert kind_at is not None and date_at is not None and title_at is not None
        kind = known_kind(values[kind_at], self.book)
        held_on = parse_date(values[date_at])
        title = values[title_at].strip()
        activity = self.by_key.get((kind, held_on, title))
        if activity is None:
            raise TrackerError(f"no {kind} on {held_on} titled {title!r}: schedule it first")
        return activity

    def apply(self, session: Session, log: ChangeLog, items: list[ParticipationRow],
              tally: Tally) -> None:
        written = write_participations(session, self.change, items)
        outcomes = [w.outcome for w in written]
        if outcomes.count(Outcome.ADDED) == len(items):
            tally.added += len(items)
        else:
            self._count(written, items, tally, session)
        if self.dry_run:
            self._describe(outcomes, items, tally)

    def _count(self, written: Sequence[Written], items: list[ParticipationRow], tally: Tally,
               session: Session) -> None:
        conflicts = []
        for done, item in zip(written, items, strict=True):
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
            held = participations.held(session, (item.pair for item, _ in conflicts))
            for item, said in conflicts:
                # an earlier line of this batch, or this import's record from an earlier one
                earlier = (f"line {said.line} as {said.status}" if said is not None else
                           f"{held[item.pair].source.replace(self.file + ':', 'line ')} as "
                           f"{held[item.pair].status}")
                tally.problem(item.line or 0,
                              f"the same student at activity #{item.activity_id} is on "
                              f"{earlier}{' with another note' if item.note else ''}"
                              f"; this line says {item.status}")

    def _describe(self, outcomes: Sequence[Outcome], items: list[ParticipationRow],
                  tally: Tally) -> None:
        for outcome, item in zip(outcomes, items, strict=True):
            line = item.line or 0
            described = self.described.get(line)
            if described is None:
                tally.example_count += 1
                continue
            _, number, activity = described
            tally.example(f"line {line}: " + what_a_row_does(
                outcome, number, item.status, f"#{activity.id} {activity.title}"))


def import_attendance(db: Database, path: Path, *, dry_run: bool = False,
                      by: str | None = None, on_progress: Progress | None = None,
                      today: date | None = None) -> ImportSummary:
    return run_import(db, path, AttendanceFile(today or date.today(), dry_run),
                      dry_run=dry_run, by=by, on_progress=on_progress)


# --- assignments ------------------------------------------------------------------------

ASSIGNMENT_HEADER = "student_number,assignment,status,date[,feedback]"


@dataclass(frozen=True, slots=True)
class AssignmentLine:
    line: int
    student: Student
    number: int
    decision: Decision


class AssignmentFile:
    """Decisions on reflection assignments, applied line by line in the file's order (a
    submission before its approval), with the checks a typed decision has."""

    noun = Noun("assignment decision", "assignment decisions")
    change_kind = ChangeKind.ASSIGNMENT_IMPORT
    batch = 200
    check_all = True

    def __init__(self, today: date, reopen: bool) -> None:
        self.today, self.reopen = today, reopen

    def begin(self, session: Session, file: str, header: Sequence[str],
              log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        require_columns(file, header, ["student number", "assignment", "status", "date"],
                        ASSIGNMENT_HEADER)
        self.columns = Columns(header)
        self.students = students.by_number_all(session)

    def parse(self, line: int, values: list[str]) -> AssignmentLine:
        get = self.columns.get
        number = fields.student_number(get(values, "student number"), self.book)
        student = self.students.get(number)
        if student is None:
            raise TrackerError(f"no student {number}")
        raw_assignment = get(values, "assignment")
        if not raw_assignment.isdigit():
            raise TrackerError(f"assignment {raw_assignment!r} is not a number")
        assignment = known_assignment(int(raw_assignment), self.book)
        raw_status = get(values, "status").lower()
        if raw_status not in _DECISIONS:
            raise TrackerError(f"status {get(values, 'status')!r} is not "
                               f"{one_of(AssignmentStatus)}")
        if not get(values, "date"):
            raise TrackerError("date is empty: give the day it happened, e.g. 2024-11-20")
        on = parse_date(get(values, "date"))
        feedback = fields.text("feedback", get(values, "feedback"))
        return AssignmentLine(line, student, assignment,
                              Decision(AssignmentStatus(raw_status), on, feedback, True,
                                       self.reopen))

    def apply(self, session: Session, log: ChangeLog, items: list[AssignmentLine],
              tally: Tally) -> None:
        for item in items:
            existed = assignments.record_of(session, item.student.id, item.number) is not None
            try:
                changed = decide(session, lambda: log.change, item.student, item.number,
                                 item.decision, self.book, self.today)
            except TrackerError as problem:
                tally.problem(item.line, str(problem))
                continue
            if changed is None:
                tally.present += 1
                continue
            if existed:
                tally.updated += 1
            else:
                tally.added += 1
            tally.example(f"line {item.line}: {item.student.number} assignment "
                          f"{item.number} {item.decision.status} on {item.decision.on}")


_DECISIONS = words(AssignmentStatus)


def import_assignments(db: Database, path: Path, *, dry_run: bool = False,
                       reopen: bool = False, by: str | None = None,
                       on_progress: Progress | None = None,
                       today: date | None = None) -> ImportSummary:
    return run_import(db, path, AssignmentFile(today or date.today(), reopen),
                      dry_run=dry_run, by=by, on_progress=on_progress)
