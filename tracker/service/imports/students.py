"""Class lists: ours, a coordinator's own (Dutch or English headers), or Brightspace's user
export, of one intake or of several at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tracker import fields
from tracker.characters import shown
from tracker.db import erasures, history, students
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import Student
from tracker.errors import ImportRefused, InvalidInput, TrackerError
from tracker.months import Month, read_month
from tracker.service.import_driver import ImportSummary, Noun, Progress, Tally, run_import
from tracker.service.rules import rules_in_force
from tracker.sheets.header import Header
from tracker.vocabulary import ChangeKind

OUR_STUDENT_HEADER = "student_number,name,email,start[,specialisation]"
_DETAILS = ("name", "start", "email", "specialisation")
Details = tuple[str, date, str | None, str | None]  # as _DETAILS


@dataclass(frozen=True, slots=True)
class StudentLine:
    line: int
    number: str
    details: Details
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


def section_key(section: str) -> str:
    return " ".join(section.split()).casefold()


class StudentFile:
    """A class list. The student number comes from its own column, or from Brightspace's
    ``OrgDefinedId``/``Username``; the name from its column, or first and last name;
    the start month from the line's start column, else its section's month
    (``--section-start``), else the one month given for the file (``--start``)."""

    noun = Noun("student", "students")
    change_kind = ChangeKind.STUDENT_IMPORT
    batch = 500
    check_all = False

    def __init__(self, start: Month | None, update: bool, re_register: bool,
                 section_starts: Mapping[str, Month] | None = None) -> None:
        self.start, self.update, self.re_register = start, update, re_register
        self.section_starts = {section_key(k): v for k, v in (section_starts or {}).items()}
        self.columns = {"student number", "name", "first name", "last name", "email",
                        "start", "specialisation", "orgdefinedid", "username",
                        "end-of-line indicator"} | ({"section"} if section_starts else set())

    def begin(self, session: Session, header: Header, log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        self.header = header
        self.brightspace = "student number" not in header and (
            "orgdefinedid" in header or "username" in header)
        expected = f"{OUR_STUDENT_HEADER}, or Brightspace's user export"
        if not self.brightspace:
            header.require(["student number"], expected)
        if "name" not in header and not ("first name" in header and "last name" in header):
            header.require(["name"], expected)
        if "name" in header and ("first name" in header or "last name" in header):
            raise ImportRefused(f"{header.file}: line 1: both name and first name/last name "
                                "give the student's name: keep name, or first name and last "
                                "name, not both")
        if self.section_starts and "section" not in header:
            raise ImportRefused(f"{header.file}: line 1: --section-start names sections, but "
                                f"the file has no section column (found: "
                                f"{header.described()})")
        if "start" not in header and not self.section_starts and self.start is None:
            if self.brightspace:
                raise ImportRefused(
                    f"{header.file}: a Brightspace export has no start month: give --start "
                    "YYYY-MM for the whole file, add a start column, or give each section's "
                    "month with --section-start")
            header.require(["start"], expected)
        self.registered = students.details_by_number(session)
        self.erased = erasures.Erased(session)
        self.in_file: dict[str, tuple[int, Details]] = {}

    def parse(self, line: int, values: list[str]) -> StudentLine:
        number, details = self._number(values), self._details(values)
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

    def _number(self, values: list[str]) -> str:
        get = self.header.get
        if not self.brightspace:
            return fields.student_number(get(values, "student number"), self.book)
        candidates = [get(values, "orgdefinedid").lstrip("#"),
                      get(values, "username").lstrip("#")]
        for candidate in candidates:
            try:
                return fields.student_number(candidate, self.book)
            except TrackerError:
                continue
        raise TrackerError(f"neither OrgDefinedId '{shown(candidates[0])}' nor Username "
                           f"'{shown(candidates[1])}' is "
                           f"{self.book.student_number_form}")

    def _details(self, values: list[str]) -> Details:
        get = self.header.get
        name = get(values, "name") if "name" in self.header else \
            f"{get(values, 'first name')} {get(values, 'last name')}"
        return (fields.required_text("name", name), self._start(values).first_day(),
                fields.email(get(values, "email")),
                fields.text("specialisation", get(values, "specialisation")))

    def _start(self, values: list[str]) -> Month:
        raw_start = self.header.get(values, "start")
        if raw_start:
            return read_month(raw_start, what="start")
        section = self.header.get(values, "section")
        if section and self.section_starts:
            month = self.section_starts.get(section_key(section))
            if month is None:
                raise InvalidInput(f"section '{shown(section)}' has no start month: "
                                   f"add --section-start '{shown(section)}=YYYY-MM'")
            return month
        if self.start is None:
            raise InvalidInput("start is empty: give the start month, e.g. 2024-09 (or "
                               "--start YYYY-MM for the lines without one)")
        return self.start

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
                    on_progress: Progress | None = None, re_register: bool = False,
                    section_starts: Mapping[str, Month] | None = None) -> ImportSummary:
    return run_import(db, path, StudentFile(start, update, re_register, section_starts),
                      dry_run=dry_run, by=by, on_progress=on_progress)
