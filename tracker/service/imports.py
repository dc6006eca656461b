"""Bulk imports: class lists, a year's schedule, sign-in sheets.

Every import is one transaction: all of it, or (on any problem) none of it. A dry run
does the same work and rolls it back, so what it reports is exactly what would happen.
Attendance streams: rows are checked and written in batches, never held all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.engine import Database
from tracker.db.models import (
    PARTICIPATION_STATUSES,
    Activity,
    Change,
    Participation,
    Student,
)
from tracker.errors import ImportRefused, TrackerError
from tracker.imports.csvfile import CsvFile, Row
from tracker.months import Month, parse_date
from tracker.rules import RuleBook
from tracker.service.activities import check_kind
from tracker.service.attendance import participation_writer
from tracker.service.changes import open_change, record, snapshot
from tracker.service.lookup import normalise_number, text_field
from tracker.service.rules import rules_in_force
from tracker.service.students import checked_email

PROBLEMS_SHOWN = 20
EXAMPLES_SHOWN = 20
BATCH = 5000

Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    file: str
    what: str
    dry_run: bool = False
    added: int = 0
    present: int = 0
    updated: int = 0
    examples: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(f"line {line}: {message}")

    def counted(self, number: int) -> str:
        """``1 student``, ``2 students``: ``what`` is the plural, ending in s."""
        return f"{number} {self.what if number != 1 else self.what.removesuffix('s')}"

    def example(self, text: str) -> None:
        if self.dry_run and len(self.examples) < EXAMPLES_SHOWN:
            self.examples.append(text)

    def problem_report(self) -> str:
        more = self.problem_count - len(self.problems)
        lines = [f"{self.file}: {self.problem_count} problem(s), nothing imported:"]
        lines += [f"  {p}" for p in self.problems]
        if more:
            lines.append(f"  ... and {more} more")
        return "\n".join(lines)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


class _RollBack(Exception):
    pass


def _run(db: Database, summary: ImportSummary,
         work: Callable[[Session, ImportSummary], None]) -> ImportSummary:
    """Run ``work`` in one transaction; keep it only if it is real, clean and changed."""
    try:
        with db.transaction() as session:
            work(session, summary)
            if summary.dry_run or summary.problem_count or not summary.changed:
                raise _RollBack
    except _RollBack:
        pass
    if summary.problem_count and not summary.dry_run:
        raise ImportRefused(summary.problem_report())
    return summary


def _require(csv_file: CsvFile, columns: list[str], alternatives: str) -> None:
    missing = [c for c in columns if c not in csv_file.header]
    if missing:
        raise ImportRefused(
            f"{csv_file.path.name}: line 1: missing column(s) {', '.join(missing)}; "
            f"expected a header {alternatives} (found: {', '.join(csv_file.header)})")


def _extra(row: Row, summary: ImportSummary) -> bool:
    if "\x00extra" in row.values:
        summary.problem(row.line, "more fields than the header has columns")
        return True
    return False


def _started(items: Iterator[T]) -> Iterator[T]:
    """Read the first item now, so that the file's header is known; then all of them."""
    first = list(islice(items, 1))
    return chain(first, items)


# --- students --------------------------------------------------------------------------

OUR_STUDENT_HEADER = "student_number,name,email,start[,specialisation]"
BRIGHTSPACE_HEADER = {"orgdefinedid", "username", "last name", "first name", "email"}


@dataclass(frozen=True)
class _StudentLine:
    number: str
    name: str
    email: str | None
    start: Month
    specialisation: str | None


def import_students(db: Database, path: Path, *, start: Month | None = None,
                    update: bool = False, dry_run: bool = False, by: str | None = None,
                    on_progress: Progress | None = None) -> ImportSummary:
    """Our class list, or Brightspace's user export (``start`` for the whole file)."""
    csv_file = CsvFile(path)
    summary = ImportSummary(path.name, "students", dry_run)

    def work(session: Session, summary: ImportSummary) -> None:
        book = rules_in_force(session).book
        rows = _started(csv_file.rows(on_progress))
        brightspace = set(csv_file.header) >= BRIGHTSPACE_HEADER
        if not brightspace:
            _require(csv_file, ["student number", "name"] + ([] if start else ["start"]),
                     f"{OUR_STUDENT_HEADER}, or Brightspace's user export")
        elif start is None:
            raise ImportRefused(f"{path.name}: a Brightspace export has no start month: "
                                "give --start YYYY-MM for the whole file")
        in_file: dict[str, _StudentLine] = {}
        registered = {s.number: s for s in session.scalars(select(Student))}
        change: Change | None = None
        for row in rows:
            if _extra(row, summary):
                continue
            try:
                line = (_brightspace_student(row, book, start) if brightspace
                        else _our_student(row, book, start))
            except TrackerError as problem:
                summary.problem(row.line, str(problem))
                continue
            if line.number in in_file:
                if in_file[line.number] != line:
                    summary.problem(row.line, f"{line.number} appears earlier in the file "
                                    "with other details")
                else:
                    summary.present += 1
                continue
            in_file[line.number] = line
            existing = registered.get(line.number)
            wanted = (line.name, line.start.first_day(), line.email, line.specialisation)
            if existing is not None:
                held = (existing.name, existing.start, existing.email, existing.specialisation)
                if held == wanted:
                    summary.present += 1
                    continue
                if not update:
                    summary.problem(row.line, f"{line.number} is registered as "
                                    f"{existing.name!r} (start {Month.of(existing.start)}), "
                                    "this line differs; --update applies the file's details")
                    continue
                change = change or open_change(session, "student import", by)
                before = snapshot(existing)
                (existing.name, existing.start, existing.email,
                 existing.specialisation) = wanted
                record(session, change, existing, before)
                summary.updated += 1
                summary.example(f"update {line.number} {line.name}")
                continue
            change = change or open_change(session, "student import", by)
            student = Student(number=line.number, name=line.name, start=line.start.first_day(),
                              email=line.email, specialisation=line.specialisation,
                              status="active")
            session.add(student)
            record(session, change, student, None)
            summary.added += 1
            summary.example(f"add {line.number} {line.name}, start {line.start}")
        if change is not None:
            change.summary = _summary_text(path, summary)

    return _run(db, summary, work)


def _summary_text(path: Path, summary: ImportSummary) -> str:
    text = f"import {summary.what} from {path.name}: {summary.added} added"  # for history
    if summary.updated:
        text += f", {summary.updated} updated"
    return text


def _our_student(row: Row, book: RuleBook, start: Month | None) -> _StudentLine:
    raw_start = row.get("start")
    month = Month.parse(raw_start, what="start") if raw_start else start
    if month is None:
        raise TrackerError("start is empty")
    name = text_field("name", row.get("name"), required=True)
    assert name is not None
    return _StudentLine(normalise_number(row.get("student number"), book), name,
                        checked_email(row.get("email")), month,
                        text_field("specialisation", row.get("specialisation")))


def _brightspace_student(row: Row, book: RuleBook, start: Month | None) -> _StudentLine:
    assert start is not None
    candidates = [row.get("orgdefinedid").lstrip("#"), row.get("username").lstrip("#")]
    number = None
    for candidate in candidates:
        try:
            number = normalise_number(candidate, book)
            break
        except TrackerError:
            continue
    if number is None:
        raise TrackerError(f"neither OrgDefinedId {candidates[0]!r} nor Username "
                           f"{candidates[1]!r} is a valid student number")
    name = text_field("name", f"{row.get('first name')} {row.get('last name')}", required=True)
    assert name is not None
    return _StudentLine(number, name, checked_email(row.get("email")), start, None)


# --- activities -------------------------------------------------------------------------

ACTIVITY_HEADER = "kind,date,title[,location][,organiser]"


def import_activities(db: Database, path: Path, *, dry_run: bool = False,
                      by: str | None = None,
                      on_progress: Progress | None = None) -> ImportSummary:
    """A schedule: one activity a line; one already scheduled is left as it is."""
    csv_file = CsvFile(path)
    summary = ImportSummary(path.name, "activities", dry_run)

    def work(session: Session, summary: ImportSummary) -> None:
        book = rules_in_force(session).book
        rows = _started(csv_file.rows(on_progress))
        _require(csv_file, ["kind", "date", "title"], ACTIVITY_HEADER)
        known = {(a.kind, a.held_on, a.title) for a in session.scalars(select(Activity))}
        change: Change | None = None
        for row in rows:
            if _extra(row, summary):
                continue
            try:
                kind = check_kind(row.get("kind"), book)
                held_on = parse_date(row.get("date"))
                title = text_field("title", row.get("title"), required=True)
                location = text_field("location", row.get("location"))
                organiser = text_field("organiser", row.get("organiser"))
            except TrackerError as problem:
                summary.problem(row.line, str(problem))
                continue
            assert title is not None
            if (kind, held_on, title) in known:
                summary.present += 1
                continue
            known.add((kind, held_on, title))
            change = change or open_change(session, "activity import", by)
            activity = Activity(kind=kind, held_on=held_on, title=title, location=location,
                                organiser=organiser)
            session.add(activity)
            record(session, change, activity, None)
            summary.added += 1
            summary.example(f"add {kind} {held_on} {title}")
        if change is not None:
            change.summary = _summary_text(path, summary)

    return _run(db, summary, work)


# --- attendance -------------------------------------------------------------------------

ATTENDANCE_HEADER = "student_number,activity_id[,status,note] or student_number,kind,date,title"


def import_attendance(db: Database, path: Path, *, dry_run: bool = False,
                      by: str | None = None, on_progress: Progress | None = None,
                      today: date | None = None) -> ImportSummary:
    """A sign-in sheet or another system's export, streamed in batches.

    The loop runs once per row of files with a million rows: it works on plain tuples
    and dictionaries prepared up front, and leaves the writing to executemany.
    """
    csv_file = CsvFile(path)
    summary = ImportSummary(path.name, "attendances", dry_run)
    day = today or date.today()

    def work(session: Session, summary: ImportSummary) -> None:
        book = rules_in_force(session).book
        records = _started(csv_file.records(on_progress))
        header = csv_file.header
        by_id = "activity id" in header
        _require(csv_file, ["student number"] + ([] if by_id else ["kind", "date", "title"]),
                 ATTENDANCE_HEADER)
        width = len(header)
        column = {name: header.index(name) for name in header}
        number_at = column["student number"]
        status_at, note_at = column.get("status"), column.get("note")
        students = {n: i for n, i in session.execute(select(Student.number, Student.id))}
        activities = {str(a.id): _Scheduled(a.id, a.kind, a.held_on, a.title)
                      for a in session.scalars(select(Activity))}
        by_key = {(a.kind, a.held_on, a.title): a for a in activities.values()}
        change = open_change(session, "attend import", by)
        writer = participation_writer(session)
        actor, recorded_at, change_id = change.actor, writer.value(4, change.at), change.id
        batch: list[tuple[Any, ...]] = []
        valid = 0
        for line, fields in records:
            try:
                if len(fields) != width:
                    if len(fields) > width:
                        raise TrackerError("more fields than the header has columns")
                    fields = fields + [""] * (width - len(fields))
                raw_number = fields[number_at]
                student_id = students.get(raw_number)
                if student_id is None:
                    number = normalise_number(raw_number, book)
                    student_id = students.get(number)
                    if student_id is None:
                        raise TrackerError(f"no student {number}")
                activity = (_activity_by_id(fields[column["activity id"]], activities) if by_id
                            else _activity_by_key(fields, column, by_key, book))
                status = "attended"
                if status_at is not None and fields[status_at].strip():
                    status = fields[status_at].strip().lower()
                    if status not in PARTICIPATION_STATUSES:
                        raise TrackerError(f"status {status!r} is not attended or excused")
                if status == "attended" and activity.held_on > day:
                    raise TrackerError(f"activity #{activity.id} is on {activity.held_on}, "
                                       "in the future")
                note = None
                if note_at is not None and fields[note_at].strip():
                    note = text_field("note", fields[note_at])
            except TrackerError as problem:
                summary.problem(line, str(problem))
                continue
            valid += 1
            if summary.problem_count:
                continue  # the import is refused: only look for more problems
            if dry_run and len(summary.examples) < EXAMPLES_SHOWN:
                held = session.scalar(select(Participation.status).where(
                    Participation.student_id == student_id,
                    Participation.activity_id == activity.id))
                summary.examples.append(
                    f"line {line}: {'already there' if held else 'add'} "
                    f"{raw_number.strip()} {status} #{activity.id} {activity.title}")
            batch.append((student_id, activity.id, status, actor, recorded_at,
                          f"{summary.file}:{line}", note, change_id))
            if len(batch) >= BATCH:
                summary.added += writer.insert(batch)
                batch.clear()
        summary.added += writer.insert(batch)
        summary.present = valid - summary.added
        change.summary = _summary_text(path, summary)

    return _run(db, summary, work)


@dataclass(frozen=True, slots=True)
class _Scheduled:
    """An activity as the import loop needs it: plain values, no ORM attribute access."""

    id: int
    kind: str
    held_on: date
    title: str


def _activity_by_id(raw: str, activities: dict[str, _Scheduled]) -> _Scheduled:
    activity = activities.get(raw)
    if activity is not None:
        return activity
    cleaned = raw.strip().lstrip("#")
    if not cleaned.isdigit():
        raise TrackerError(f"activity id {raw!r} is not a number")
    activity = activities.get(str(int(cleaned)))
    if activity is None:
        raise TrackerError(f"no activity #{cleaned}")
    return activity


def _activity_by_key(record: list[str], column: dict[str, int],
                     by_key: dict[tuple[str, date, str], _Scheduled],
                     book: RuleBook) -> _Scheduled:
    kind = check_kind(record[column["kind"]], book)
    held_on = parse_date(record[column["date"]])
    title = record[column["title"]].strip()
    activity = by_key.get((kind, held_on, title))
    if activity is None:
        raise TrackerError(f"no {kind} on {held_on} titled {title!r}: schedule it first")
    return activity
