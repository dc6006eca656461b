"""A year's schedule: one activity a line; one already scheduled is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, history
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import Activity
from tracker.months import read_date
from tracker.service.activities import known_kind
from tracker.service.import_driver import ImportSummary, Noun, Progress, Tally, run_import
from tracker.service.rules import rules_in_force
from tracker.sheets.header import Header
from tracker.vocabulary import ChangeKind

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
    noun = Noun("activity", "activities")
    change_kind = ChangeKind.ACTIVITY_IMPORT
    columns = ("kind", "date", "title", "location", "organiser")
    batch = 500
    check_all = False

    def begin(self, session: Session, header: Header, log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        header.require(["kind", "date", "title"], ACTIVITY_HEADER)
        self.header = header
        self.known = activities.keys(session)

    def parse(self, line: int, values: list[str]) -> ActivityLine:
        get = self.header.get
        kind = known_kind(get(values, "kind"), self.book)
        held_on = read_date(get(values, "date"))
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
