"""``tracker checkin``: a kiosk at the door of an activity."""

from __future__ import annotations

import csv
import io
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

import click

from tracker.cli.common import ACTIVITY_ID, OUTPUT_FILE, by_option, database, note
from tracker.cli.context import UserError
from tracker.private_files import open_private, refuse_unwritable

if TYPE_CHECKING:
    from tracker.service.activities import ActivityView
    from tracker.service.checkin import Reply, SessionUndone, Tally


@click.command()
@click.argument("activity_id", type=ACTIVITY_ID)
@click.option("--any-day", is_flag=True,
              help="Allow an activity of an earlier day (never one still to come).")
@click.option("--unknown-to", type=OUTPUT_FILE, metavar="FILE",
              help="Add the unregistered student numbers to this CSV "
                   "(student_number,name,email,start, or a class list to add to): fill "
                   "in the names, then `tracker student import FILE --start YYYY-MM`.")
@by_option
def checkin(activity_id: int, any_day: bool, unknown_to: Path | None,
            by: str | None) -> None:
    """Check students in at the door of an activity, one number per line.

    Reads student numbers from standard input, typed, from a barcode scanner that
    types like a keyboard, or piped, and answers each line with one line: ✓ checked
    in (with the name and how many so far), = already checked in (and since when), or
    ✗ not recognised (with why, and a registered number one typo away, if any). Each
    check-in is recorded before it is answered. An empty line, the end of the input
    (Ctrl-D) or Ctrl-C ends the session with a summary. The session is one change in
    the history, undone as a whole once it ended; a session undone while it runs (its
    laptop asleep, say) ends at the next line.

    \b
    A line is read forgivingly:
      any case                              S1234567 is s1234567
      spaces, tabs and control characters   a scanner's STX/ETX and CR are ignored
      Code 39 start/stop asterisks          *s1234567* is s1234567
      7 digits alone (Leiden numbers only)  1234567 is s1234567

    The activity must be held today; --any-day allows an earlier day. Two laptops at
    one door may check in the same students: each is recorded once.

    \b
    Examples:
      tracker checkin 12
      tracker checkin 12 --by "Dr. Smit" --unknown-to unknown.csv
      printf 's1234567\\n1234568\\n' | tracker checkin 12
    """
    from tracker.service.checkin import Door, SessionUndone

    door = Door.open(database(), activity_id, by=by, any_day=any_day)
    unknown = UnknownFile(unknown_to) if unknown_to is not None else None
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        _header(door.activity)
    ctrl_c = CtrlC()
    undone: SessionUndone | None = None
    with door, _lines() as lines, ctrl_c:
        while not ctrl_c.pressed:
            try:
                line = lines.readline()
            except KeyboardInterrupt:
                break
            if not line.strip():  # an empty line, or the end of the input
                break
            with ctrl_c.held():
                try:
                    reply = door.check_in(line)
                except SessionUndone as ended:
                    undone = ended
                    click.echo(_undone(ended, activity_id))
                    break
                click.echo(_answer(reply))
                if unknown is not None and reply.unregistered and not reply.suggestions:
                    unknown.add(reply.unregistered)  # (a typo of a registered one is not)
    if ctrl_c.pressed and interactive:
        click.echo()  # after the terminal's ^C
    _summary(door.tally())
    if unknown is not None:
        unknown.close()
        if unknown.failure:
            note(f"cannot add more unregistered student numbers to {unknown.path}: "
                 f"{unknown.failure} (every check-in is recorded; the summary above lists "
                 "every number not recognised)")
        if unknown.added:
            note(f"added {unknown.added} unregistered student number(s) to {unknown.path}: "
                 f"fill in the names, then `tracker student import {unknown.path} "
                 "--start YYYY-MM`")
    if undone is not None:
        raise SystemExit(1)


def _undone(ended: SessionUndone, activity_id: int) -> str:
    words = (f"✗ not checked in: this session's check-ins were undone (change "
             f"#{ended.undo_id}, by {ended.by} at {_when(ended.at)}), so the session ends; "
             f"start `tracker checkin {activity_id}` again to check students in")
    return click.style(words, fg="red")


def _header(activity: ActivityView) -> None:
    note(click.style(f"Check-in at #{activity.id} {activity.title} ({activity.kind}, "
                     f"{activity.date})", bold=True))
    note("Type or scan one student number per line. An empty line, Ctrl-D or Ctrl-C ends.")


STYLE = {"checked in": "green", "already checked in": "yellow", "not recognised": "red"}
SYMBOL = {"checked in": "✓", "already checked in": "=", "not recognised": "✗"}


def _answer(reply: Reply) -> str:
    """One line in words (and, on a terminal, in colour) for a line given."""
    words = f"{SYMBOL[reply.answer]} {reply.answer} {_said(reply)}"
    if reply.answer == "checked in":
        excused = "was excused; " if reply.was_excused else ""
        words += f" ({excused}{reply.count} so far)"
    elif reply.answer == "already checked in" and reply.earlier is not None:
        words += f" at {_when(reply.earlier)}"
    return click.style(words, fg=STYLE[reply.answer])


def _said(reply: Reply) -> str:
    if reply.number is None or reply.name is None:  # not recognised
        said = f"{reply.typed}: {reply.why}"
        if reply.suggestions:
            said += "; did you mean " + " or ".join(
                f"{s.number}, {s.name}" for s in reply.suggestions) + "?"
        return said
    return f"{reply.number} {reply.name}"


def _when(moment: datetime) -> str:
    """Local time; with the day when it was not today."""
    local = moment.astimezone()
    return f"{local:%H:%M}" if local.date() == date.today() else f"{local:%Y-%m-%d %H:%M}"


def _summary(tally: Tally) -> None:
    click.echo(f"checked in {tally.checked_in}, already {tally.already}, "
               f"not recognised {len(tally.not_recognised)}")
    shown: set[str] = set()
    for reply in tally.not_recognised:
        said = _said(reply)
        if said not in shown:
            if not shown:
                click.echo("not recognised:")
            shown.add(said)
            click.echo(f"  {said}")


@contextmanager
def _lines() -> Iterator[TextIO]:
    """Standard input, read a line at a time as it comes: any line ending (a scanner may
    end with CR alone), and bytes that are not text never stop the door."""
    stdin: Any = sys.stdin
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        yield stdin
        return
    lines = io.TextIOWrapper(buffer, encoding=getattr(stdin, "encoding", None) or "utf-8",
                             errors="replace", newline=None)
    try:
        yield lines
    finally:
        lines.detach()  # standard input stays open


class CtrlC:
    """Ctrl-C ends the session. While a check-in is recorded and answered it waits for
    the answer: what is recorded is answered, and what is answered is recorded."""

    def __init__(self) -> None:
        self.pressed = False
        self._holding = False
        self._installed = False
        self._previous: Any = None

    def __enter__(self) -> CtrlC:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._installed and self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    @contextmanager
    def held(self) -> Iterator[None]:
        self._holding = True
        try:
            yield
        finally:
            self._holding = False

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self.pressed = True
        if not self._holding:
            raise KeyboardInterrupt


HEADER = ("student_number", "name", "email", "start")
CLASS_LIST_COLUMNS = ("student number", "name")  # as tracker.sheets.header names them


class UnknownFile:
    """The unregistered student numbers of a session, as a class list to complete:
    added as they come (and flushed), so a crash keeps them too. A new (or empty) file
    gets the header ``student_number,name,email,start``; a class list that exists, in any
    form ``student import`` reads (a byte-order mark, capitalised headers, ``;``, more
    columns), is added to in its own form, without repeating a number. Any other file is
    refused, never replaced; so is the database. A file that cannot be written to once
    the session runs (a full disk) stops the list, not the door: ``failure`` says why."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.added = 0
        self.failure: str | None = None
        refuse_unwritable(path)  # the database itself, a link, a device: before reading
        self._layout = _ClassList.read(path)
        try:
            self._file = open_private(path, append=True, encoding="utf-8", newline="")
            if self._layout.new:
                self._write(HEADER)
            elif not self._layout.ends_a_line:
                self._file.write(self._layout.line_end)
                self._file.flush()
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror}") from None

    def add(self, number: str) -> None:
        if self.failure is None and number and number not in self._layout.numbers:
            self._layout.numbers.add(number)
            row = [""] * self._layout.width
            row[self._layout.number_at] = number
            try:
                self._write(row)
            except OSError as error:
                self.failure = error.strerror or str(error)
                return
            self.added += 1

    def _write(self, row: Sequence[str]) -> None:
        csv.writer(self._file, delimiter=self._layout.delimiter,
                   lineterminator=self._layout.line_end).writerow(row)
        self._file.flush()

    def close(self) -> None:
        try:
            self._file.close()
        except OSError as error:
            self.failure = self.failure or error.strerror or str(error)


@dataclass
class _ClassList:
    """How an existing class list is written, so that lines added to it match."""

    new: bool
    numbers: set[str]
    delimiter: str = ","
    width: int = len(HEADER)
    number_at: int = 0
    line_end: str = "\r\n"
    ends_a_line: bool = True

    @classmethod
    def read(cls, path: Path) -> _ClassList:
        from tracker.characters import shown
        from tracker.errors import InvalidInput
        from tracker.sheets.csv_sheet import open_csv
        from tracker.sheets.header import column_of

        try:
            if not path.exists() or path.stat().st_size == 0:
                return cls(True, set())
            with path.open("rb") as raw:
                first = raw.readline()
                raw.seek(-1, 2)
                last = raw.read(1)
            with open_csv(path, shown(path.name, 200), None) as sheet:
                header = [column_of(name) for name in sheet.header]
                if not set(CLASS_LIST_COLUMNS) <= set(header):
                    raise UserError(
                        f"--unknown-to {path} is not a class list (its first line has no "
                        "student_number and name columns): name a new file, or a class "
                        "list to add the numbers to; nothing was changed")
                at = header.index("student number")
                numbers = {fields[at].strip().lower() for _, fields in sheet.records()
                           if len(fields) > at}
                return cls(False, numbers, sheet.delimiter, len(header), at,
                           "\r\n" if first.endswith(b"\r\n") else "\n",
                           last in (b"\n", b"\r"))
        except InvalidInput as problem:
            raise UserError(f"--unknown-to {path} is not a class list the tracker reads "
                            f"({problem}): name a new file; nothing was changed") from None
        except OSError as error:
            raise UserError(f"cannot read {path}: {error.strerror}") from None
