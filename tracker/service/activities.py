"""Schedule activities and list them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from tracker import fields
from tracker.characters import shown
from tracker.db import activities, history
from tracker.db.engine import Database
from tracker.db.models import Activity
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook
from tracker.service.results import Written
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, ParticipationStatus


def known_kind(kind: str, book: RuleBook) -> str:
    """An activity kind of the rules, as stored (lower-case); a kind typed as its label
    or nearly right is refused with the kind it probably means."""
    code = kind.strip().lower()
    if code in book.kinds:
        return code
    guesses = likely_kinds(kind, book)
    hint = f": did you mean {' or '.join(guesses)}?" if guesses else ""
    raise NotFound(f"unknown activity kind '{shown(kind.strip())}'{hint} (kinds: "
                   f"{', '.join(book.kinds)})")


def likely_kinds(typed: str, book: RuleBook) -> list[str]:
    """The kinds ``typed`` may mean: its label (``LACDR symposium``), its code with
    spaces (``career event``), a word of it (``workshop``), or a near miss."""
    words = typed.casefold().replace("_", " ").replace("-", " ").split()
    if not words:
        return []
    hyphened = "-".join(words)
    if hyphened in book.kinds:
        return [hyphened]
    by_label = [code for code, label in book.kinds.items()
                if " ".join(label.casefold().split()) == " ".join(words)]
    if by_label:
        return by_label
    if len(hyphened) >= 4:
        containing = [code for code in book.kinds
                      if all(word in code.split("-") for word in words)]
        if containing:
            return containing[:3]
    return difflib.get_close_matches(hyphened, list(book.kinds), n=2, cutoff=0.75)


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


@dataclass(frozen=True)
class Attendee:
    student: str
    name: str
    status: str
    note: str | None
    source: str  # typed, checkin, qr, or a file and its line
    flags: tuple[str, ...] = ()  # the door's words for the coordinator (shared-device, ...)


@dataclass(frozen=True)
class ActivityDetails(ActivityView):
    """``activity show``: the activity and who was there."""

    attendees: tuple[Attendee, ...]


def show_activity(db: Database, activity_id: int) -> ActivityDetails:
    with db.transaction(read_only=True) as session:
        activity = activities.require(session, activity_id)
        return ActivityDetails(
            activity.id, activity.kind, activity.held_on, activity.title, activity.location,
            activity.organiser,
            tuple(Attendee(*row) for row in activities.attendees(session, activity.id)))


def edit_activity(db: Database, activity_id: int, *, kind: str | None = None,
                  held_on: date | None = None, title: str | None = None,
                  location: str | None = None, organiser: str | None = None,
                  by: str | None = None, today: date | None = None) -> Written[ActivityView]:
    """Correct a scheduled activity; only what is given changes ("" clears the location or
    the organiser). Attendance stays with it."""
    wanted: dict[str, object] = {}
    if title is not None:
        wanted["title"] = fields.required_text("title", title)
    if location is not None:
        wanted["location"] = fields.text("location", location)
    if organiser is not None:
        wanted["organiser"] = fields.text("organiser", organiser)
    if held_on is not None:
        wanted["held_on"] = held_on
    if kind is None and not wanted:
        raise InvalidInput("say what to change: --kind, --date, --title, --location or "
                           "--organiser")
    with db.transaction() as session:
        activity = activities.require(session, activity_id)
        if kind is not None:
            wanted["kind"] = known_kind(kind, rules_in_force(session).book)
        if all(getattr(activity, key) == value for key, value in wanted.items()):
            return Written(ActivityView.of(activity), False)
        new_kind = str(wanted.get("kind", activity.kind))
        new_day = wanted.get("held_on", activity.held_on)
        new_title = str(wanted.get("title", activity.title))
        assert isinstance(new_day, date)
        same = activities.by_key(session, new_kind, new_day, new_title)
        if same is not None and same.id != activity.id:
            raise InvalidInput(f"#{same.id} is that activity already ({new_kind} on "
                               f"{new_day}: {new_title}); change something else, or delete "
                               f"one of them")
        attended = sum(p.status == ParticipationStatus.ATTENDED
                       for p in activities.participations_at(session, activity.id))
        if attended and new_day > (today or date.today()):
            raise InvalidInput(f"#{activity.id} has {attended} attendance(s) recorded: it "
                               f"cannot move to {new_day}, in the future")
        change = history.open_change(
            session, ChangeKind.ACTIVITY_EDIT, by,
            f"#{activity.id} {activity.title}: {', '.join(sorted(wanted))}")
        before = history.snapshot(activity)
        for key, value in wanted.items():
            setattr(activity, key, value)
        activity.revision += 1  # subscribed calendars take the edit (the feed's SEQUENCE)
        history.updated(session, change, activity, before)
        return Written(ActivityView.of(activity), True)


@dataclass(frozen=True)
class DeleteOutcome:
    activity: ActivityView
    attendance: int  # participations deleted with it


def delete_activity(db: Database, activity_id: int, *, with_attendance: bool = False,
                    by: str | None = None) -> DeleteOutcome:
    """Delete a mis-scheduled activity; refused while attendance is recorded on it, unless
    ``with_attendance`` (then that goes too). ``undo`` brings both back."""
    with db.transaction() as session:
        activity = activities.require(session, activity_id)
        held = activities.participations_at(session, activity.id)
        if held and not with_attendance:
            raise InvalidInput(f"#{activity.id} {activity.title} has {len(held)} attendance "
                               "record(s): add --with-attendance to delete them too")
        view = ActivityView.of(activity)
        change = history.open_change(
            session, ChangeKind.ACTIVITY_DELETE, by,
            f"deleted #{activity.id} {activity.title} ({activity.held_on})"
            + (f" with {len(held)} attendance record(s)" if held else ""))
        history.deleted_all(session, change, held)  # before the activity they refer to
        history.deleted(session, change, activity)
        return DeleteOutcome(view, len(held))
