"""A student's calendar feed (RFC 5545): ``/feed/<token>.ics``, the token its only key."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Response

from tracker.service.portal import feeds
from tracker.standing import STATUS_WORDS
from tracker.web.here import portal

REFRESH = timedelta(hours=6)


def calendar_feed(token: str) -> Any:
    here = portal()
    calendar = feeds.calendar(here.db, token, here.today())  # a wrong or old token: 404
    return Response(ics(calendar, urlsplit(here.site.base_url).hostname or "tracker",
                        here.now()),
                    mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=900",
                             "Content-Disposition": 'inline; filename="career-orientation.ics"',
                             "X-Robots-Tag": "noindex"})


def ics(calendar: feeds.StudentCalendar, host: str, now: datetime) -> bytes:
    """All-day events, one per activity: its UID stays with the activity, its SEQUENCE
    rises with every edit, and each says what it counts for."""
    from icalendar import Calendar, Event

    feed = Calendar()
    feed.add("prodid", "-//tracker//career orientation//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", f"Career orientation: what counts for {calendar.name}")
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", REFRESH)
    for item in calendar.events:
        event = Event()
        event.add("uid", f"activity-{item.activity}@{host}")
        event.add("dtstamp", now)
        event.add("sequence", item.revision)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + timedelta(days=1))
        event.add("summary", item.title)
        event.add("description", describe(item))
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")  # a day with an activity is not a busy day
        if item.location:
            event.add("location", item.location)
        feed.add_component(event)
    return bytes(feed.to_ical())


def describe(item: feeds.FeedEvent) -> str:
    lines = [f"{item.kind}. Counts for:"]
    for requirement in item.counts_for:
        unit = " points" if requirement.points else ""
        voluntary = ", voluntary" if requirement.optional else ""
        lines.append(f"- {requirement.label}: {requirement.done} of {requirement.required}"
                     f"{unit} done, {STATUS_WORDS[requirement.status]}{voluntary}")
    if item.organiser:
        lines.append(f"Organised by {item.organiser}.")
    return "\n".join(lines)
