"""A student's calendar feed: the upcoming activities that still count for them, behind
an address only they have (a random token; the database keeps its hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker.db import portal
from tracker.db.engine import Database
from tracker.db.models import Activity
from tracker.db.which import one_student_id
from tracker.errors import NotFound
from tracker.service.assessment import assess
from tracker.service.portal.secrets import digest, new_token
from tracker.service.rules import rules_in_force
from tracker.vocabulary import RequirementStatus


@dataclass(frozen=True)
class CountsFor:
    """A requirement an activity would count for, and where the student stands on it."""

    label: str
    done: int
    required: int
    points: bool
    optional: bool
    status: RequirementStatus


@dataclass(frozen=True)
class FeedEvent:
    activity: int
    kind: str  # the kind's label
    date: date
    title: str
    location: str | None
    organiser: str | None
    revision: int  # up by one at every edit: the event's SEQUENCE
    counts_for: tuple[CountsFor, ...]


@dataclass(frozen=True)
class StudentCalendar:
    name: str
    programme: str
    events: tuple[FeedEvent, ...]


def feed_made_at(db: Database, student_id: int) -> datetime | None:
    """When the student's current calendar address was made (None: they have none)."""
    with db.transaction(read_only=True) as session:
        feed = portal.feed_of(session, student_id)
        return feed.created_at if feed is not None else None


def new_feed(db: Database, student_id: int, now: datetime) -> str:
    """A new calendar address for the student; the old one stops working. Returns the
    token (shown once: only its hash is kept)."""
    token = new_token()
    with db.transaction() as session:
        portal.replace_feed(session, student_id, digest(token), now)
    return token


def calendar(db: Database, token: str, today: date) -> StudentCalendar:
    """What the feed ``token`` shows on ``today``; NotFound for a wrong or old token."""
    with db.transaction(read_only=True) as session:
        student = portal.student_of_feed(session, digest(token))
        if student is None:
            raise NotFound("no such calendar")
        in_force = rules_in_force(session)
        [assessed] = assess(session, in_force, one_student_id(student.id), today)
        counting: dict[int, list[CountsFor]] = {}
        if assessed.progress is not None:
            for item, coming in zip(assessed.progress.requirements, assessed.coming(),
                                    strict=True):
                if item.met:
                    continue  # attending more adds nothing to it
                standing = CountsFor(item.requirement.label, item.done, item.required,
                                     item.kind == "points", item.optional, item.status)
                for upcoming in coming:
                    counting.setdefault(upcoming.id, []).append(standing)
        kinds = in_force.book.kinds
        events = tuple(
            FeedEvent(a.id, kinds.get(a.kind, a.kind), a.held_on, a.title, a.location,
                      a.organiser, a.revision, tuple(counting[a.id]))
            for a in session.scalars(select(Activity).where(Activity.id.in_(list(counting)))
                                     .order_by(Activity.held_on, Activity.id)))
        return StudentCalendar(student.name, in_force.book.programme, events)
