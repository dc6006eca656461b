"""A student's own pages: their progress, live; the same as JSON; their calendar address."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from tracker import fields
from tracker.errors import NoRequirementSet, NotFound
from tracker.service.portal import feeds
from tracker.service.portal.sessions import Visitor
from tracker.web import pages
from tracker.web.here import portal, visitor


def _student() -> Visitor:
    person = visitor()
    assert person is not None and person.number is not None  # the route is for students
    return person


def progress_page() -> Any:
    here, person = portal(), _student()
    try:
        progress = pages.student_progress(here.db, person.number or "", here.today())
    except (NoRequirementSet, NotFound) as problem:
        return render_template("message.html", title="Your progress", signed_in=True, here="me",
                               text=f"Your progress cannot be shown yet: {problem}. "
                                    "Please tell your course coordinator.")
    return pages.framed(pages.student_html(progress),
                        render_template("bar.html", here="me") + _checked_in(person),
                        render_template("bar.css"))


def _checked_in(person: Visitor) -> str:
    """After a check-in at the door (``?checked-in=ACTIVITY``): say so, from the record."""
    from tracker.service.portal.door_checkin import checked_in_at

    wanted = request.args.get("checked-in", "")
    if not (fields.digits(wanted) and len(wanted) < 10):
        return ""
    found = checked_in_at(portal().db, person.person_id, int(wanted))
    return render_template("door_notice.html", found=found) if found else ""


def progress_json() -> Any:
    here, person = portal(), _student()
    progress = pages.student_progress(here.db, person.number or "", here.today())
    return Response(pages.progress_json(progress), mimetype="application/json")


def calendar_page() -> Any:
    here, person = portal(), _student()
    made = feeds.feed_made_at(here.db, person.person_id)
    return render_template("calendar.html", made=made, address=None, webcal=None,
                           signed_in=True, here="calendar")


def new_calendar() -> Any:
    """A new address (the old one dies). Shown in this answer only: the database keeps
    just its hash."""
    here, person = portal(), _student()
    token = feeds.new_feed(here.db, person.person_id, here.now())
    address = here.site.link(f"/feed/{token}.ics")
    webcal = "webcal://" + address.split("://", 1)[1]
    return render_template("calendar.html", made=here.now(), address=address, webcal=webcal,
                           signed_in=True, here="calendar")
