"""Schedule activities and list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker import fields
from tracker.db import activities, history
from tracker.db.engine import Database
from tracker.db.models import Activity
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook
from tracker.service.results import Written
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind


def known_kind(kind: str, book: RuleBook) -> str:
    """An activity kind of the rules, as stored (lower-case)."""
    code = kind.strip().lower()
    if code not in book.kinds:
        raise NotFound(f"unknown activity kind {kind!r} (kinds: {', '.join(book.kinds)})")
    return code


@dataclass(frozen=True)
class ActivityView:
    id: int
    kind: str
    date: date
    title: str
    location: str | None
    organiser: str | None

    @classmethod
    def of(cls, activity: Activity) -> ActivityView:
        return cls(activity.id, activity.kind, activity.held_on, activity.title,
                   activity.location, activity.organiser)


@dataclass(frozen=True)
class ActivityListed(ActivityView):
    """An activity in ``activity list``, with how many attended."""

    attended: int


def add_activity(db: Database, kind: str, held_on: date, title: str,
                 location: str | None = None, organiser: str | None = None,
                 by: str | None = None) -> Written[ActivityView]:
    clean_title = fields.required_text("title", title)
    clean_location = fields.text("location", location)
    clean_organiser = fields.text("organiser", organiser)
    with db.transaction() as session:
        code = known_kind(kind, rules_in_force(session).book)
        existing = activities.by_key(session, code, held_on, clean_title)
        if existing is not None:
            return Written(ActivityView.of(existing), False)
        change = history.open_change(session, ChangeKind.ACTIVITY_ADD, by,
                                     f"schedule {code} on {held_on}: {clean_title}")
        activity = Activity(kind=code, held_on=held_on, title=clean_title,
                            location=clean_location, organiser=clean_organiser)
        session.add(activity)
        history.inserted(session, change, activity)
        return Written(ActivityView.of(activity), True)


def list_activities(db: Database, kind: str | None = None, start: date | None = None,
                    end: date | None = None) -> list[ActivityListed]:
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}")
    with db.transaction(read_only=True) as session:
        code = None if kind is None else known_kind(kind, rules_in_force(session).book)
        return [ActivityListed(a.id, a.kind, a.held_on, a.title, a.location, a.organiser,
                               count)
                for a, count in activities.listing(session, code, start, end)]
