"""Schedule activities and list them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, select

from tracker.db.engine import Database
from tracker.db.models import Activity, Participation
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook
from tracker.service.changes import open_change, record
from tracker.service.lookup import text_field
from tracker.service.rules import rules_in_force


def check_kind(kind: str, book: RuleBook) -> str:
    code = kind.strip().lower()
    if code not in book.kinds:
        raise NotFound(f"unknown activity kind {kind!r} (kinds: {', '.join(book.kinds)})")
    return code


@dataclass(frozen=True)
class ScheduleOutcome:
    activity: dict[str, Any]
    created: bool


def activity_row(activity: Activity) -> dict[str, Any]:
    return {"id": activity.id, "kind": activity.kind, "date": activity.held_on.isoformat(),
            "title": activity.title, "location": activity.location,
            "organiser": activity.organiser}


def add_activity(db: Database, kind: str, held_on: date, title: str,
                 location: str | None = None, organiser: str | None = None,
                 by: str | None = None) -> ScheduleOutcome:
    clean_title = text_field("title", title, required=True)
    clean_location = text_field("location", location)
    clean_organiser = text_field("organiser", organiser)
    with db.transaction() as session:
        code = check_kind(kind, rules_in_force(session).book)
        existing = session.scalars(select(Activity).where(
            Activity.kind == code, Activity.held_on == held_on,
            Activity.title == clean_title)).first()
        if existing is not None:
            return ScheduleOutcome(activity_row(existing), False)
        change = open_change(session, "activity add", by,
                             f"schedule {code} on {held_on}: {clean_title}")
        activity = Activity(kind=code, held_on=held_on, title=clean_title,
                            location=clean_location, organiser=clean_organiser)
        session.add(activity)
        record(session, change, activity, None)
        return ScheduleOutcome(activity_row(activity), True)


def list_activities(db: Database, kind: str | None = None, start: date | None = None,
                    end: date | None = None) -> list[dict[str, Any]]:
    if start and end and start > end:
        raise InvalidInput(f"--from {start} is after --to {end}")
    attended = func.count(Participation.id).label("attended")
    query = (select(Activity, attended)
             .outerjoin(Participation, and_(Participation.activity_id == Activity.id,
                                            Participation.status == "attended"))
             .group_by(Activity.id).order_by(Activity.held_on, Activity.id))
    with db.transaction(read_only=True) as session:
        if kind is not None:
            query = query.where(Activity.kind == check_kind(kind, rules_in_force(session).book))
        if start is not None:
            query = query.where(Activity.held_on >= start)
        if end is not None:
            query = query.where(Activity.held_on <= end)
        return [{**activity_row(activity), "attended": count}
                for activity, count in session.execute(query)]
