"""The one loop every import runs: read the file, check each line, collect the problems
by line, apply all or nothing, and summarise.

A kind of file (:class:`FileKind`) supplies only the columns it reads, how to check its
header, how to turn a line into an item, and how to apply a batch of items. The whole
import is one transaction: all of it, or (on any problem) none of it. A dry run does the
same work and rolls it back, so what it reports is exactly what would happen. Imports
take turns (see :mod:`tracker.db.contention`); one that lost a race with another command
is run again from the start of the file, as if it had come a moment later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.characters import shown
from tracker.db.contention import take_turns_with_other_imports, worth_retrying
from tracker.db.engine import Database, Rollback
from tracker.db.history import ChangeLog
from tracker.errors import ImportRefused, TrackerError
from tracker.sheets import open_sheet
from tracker.sheets.header import Header
from tracker.vocabulary import ChangeKind

PROBLEMS_SHOWN = 20
EXAMPLES_SHOWN = 20
ATTEMPTS = 3  # runs of an import that keeps losing races, before it gives up

Item = TypeVar("Item")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Noun:
    singular: str
    plural: str
    recorded: bool = False  # said to be recorded (decisions), not added (students)

    def count(self, number: int) -> str:
        """``1 student``, ``2 students``."""
        return f"{number} {self.singular if number == 1 else self.plural}"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    file: str
    noun: Noun
    dry_run: bool
    added: int
    present: int
    updated: int
    downgraded: int  # of the updated: attendance that became excused, no longer counted
    examples: tuple[str, ...]  # the first lines of what it does, in a dry run
    example_count: int  # how many there were in all
    problems: tuple[str, ...]  # the first problems, each with its line
    problem_count: int
    warnings: tuple[str, ...] = ()  # columns left unread, and the like
    # What was written, by what it says (assignment decisions: submitted, approved, ...).
    written_as: tuple[tuple[str, int], ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def problem_report(self) -> str:
        lines = [f"{self.file}: {self.problem_count} problem(s), nothing imported:"]
        lines += [f"  {p}" for p in self.problems]
        if self.problem_count > len(self.problems):
            lines.append(f"  ... and {self.problem_count - len(self.problems)} more")
        return "\n".join(lines)


@dataclass
class Tally:
    """What a running import has found so far; the file kinds report into it."""

    dry_run: bool
    added: int = 0
    present: int = 0
    updated: int = 0
    downgraded: int = 0
    examples: list[str] = field(default_factory=list)
    example_count: int = 0
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    written_as: Counter[str] = field(default_factory=Counter)

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(f"line {line}: {message}")

    def example(self, text: str) -> None:
        """What one line does, for a dry run to show."""
        if self.dry_run:
            self.example_count += 1
            if len(self.examples) < EXAMPLES_SHOWN:
                self.examples.append(text)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


class FileKind(Protocol[Item]):
    """One kind of import file."""

    noun: Noun
    change_kind: ChangeKind
    batch: int  # items applied at once
    # Applying finds problems of its own (a decision that contradicts the one before):
    # keep applying after a problem, to report them all.
    check_all: bool

    @property
    def columns(self) -> Collection[str]:
        """The columns it reads (see :mod:`tracker.sheets.header`)."""

    def begin(self, session: Session, header: Header, log: ChangeLog) -> None:
        """Check the header (raise :class:`ImportRefused` for a wrong one) and load what
        reading the lines needs."""

    def parse(self, line: int, fields: list[str]) -> Item:
        """Turn one line into an item; raise :class:`TrackerError` for a problem of it."""

    def apply(self, session: Session, log: ChangeLog, items: list[Item], tally: Tally) -> None:
        """Write a batch of items, counting them in ``tally``."""


def run_import(db: Database, path: Path, kind: FileKind[Item], *, dry_run: bool = False,
               by: str | None = None, on_progress: Progress | None = None) -> ImportSummary:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            summary = _run_once(db, path, kind, dry_run, by, on_progress)
            break
        except DBAPIError as error:
            if attempt == ATTEMPTS or not worth_retrying(error):
                raise
    if summary.problem_count and not dry_run:
        raise ImportRefused("\n".join([summary.problem_report(),
                                       *(f"warning: {w}" for w in summary.warnings)]))
    return summary


def _run_once(db: Database, path: Path, kind: FileKind[Item], dry_run: bool,
              by: str | None, on_progress: Progress | None) -> ImportSummary:
    tally = Tally(dry_run)
    with db.transaction(bulk=True) as session, open_sheet(path, on_progress) as sheet:
        take_turns_with_other_imports(session)
        header = Header(sheet.name, sheet.header, kind.columns)
        width = len(header.names)
        log = ChangeLog(session, kind.change_kind, by)
        kind.begin(session, header, log)
        batch: list[Item] = []
        for line, fields in sheet.records():
            if len(fields) != width:
                if len(fields) > width:
                    if any(f.strip() for f in fields[width:]):
                        tally.problem(line, "more fields than the header has columns")
                        continue
                    del fields[width:]  # empty cells after the last column
                else:
                    fields += [""] * (width - len(fields))
            try:
                item = kind.parse(line, fields)
            except TrackerError as problem:
                tally.problem(line, str(problem))
                continue
            if tally.problem_count and not (dry_run or kind.check_all):
                continue  # the import is refused: only look for more problems
            batch.append(item)
            if len(batch) >= kind.batch:
                kind.apply(session, log, batch, tally)
                batch.clear()
        if batch and (dry_run or kind.check_all or not tally.problem_count):
            kind.apply(session, log, batch, tally)
        log.describe(_history_line(sheet.name, kind.noun, tally))
        if dry_run or tally.problem_count or not tally.changed:
            raise Rollback
    return ImportSummary(sheet.name, kind.noun, dry_run, tally.added, tally.present,
                         tally.updated, tally.downgraded, tuple(tally.examples),
                         tally.example_count, tuple(tally.problems), tally.problem_count,
                         _unread_columns(header), tuple(tally.written_as.items()))


def _unread_columns(header: Header) -> tuple[str, ...]:
    if not header.unknown:
        return ()
    names = ", ".join(f"'{shown(name, 40)}'" for name in header.unknown[:12])
    more = len(header.unknown) - 12
    if more > 0:
        names += f" and {more} more"
    if len(header.unknown) == 1:
        return (f"{header.file}: the column {names} is not one this import reads: it was "
                "left out",)
    return (f"{header.file}: the columns {names} are not ones this import reads: they were "
            "left out",)


def _history_line(file: str, noun: Noun, tally: Tally) -> str:
    text = f"import {noun.plural} from {file}: "
    if tally.written_as:
        return text + ", ".join(f"{count} {what}" for what, count in tally.written_as.items())
    text += f"{tally.added} added"
    if tally.updated:
        text += f", {tally.updated} updated"
    return text
