"""The coordinator's pages: the cohort page, live, with the report's filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request

from tracker import fields
from tracker.errors import InvalidInput
from tracker.months import parse_date
from tracker.service import claims
from tracker.service.activities import list_activities
from tracker.service.report import EVERY_STATUS, Selection
from tracker.standing import Standing
from tracker.vocabulary import StudentStatus
from tracker.web import pages
from tracker.web.here import portal
from tracker.web.security import script_nonce

YES = ("1", "on", "yes", "true")


def cohort() -> Any:
    """``/admin?cohort=2024&status=active&standing=at-risk&incomplete=1&as-of=2025-06-30``:
    what ``report --format html`` writes with those options (``standing`` may repeat)."""
    here = portal()
    args = request.args
    year = _year(args.get("cohort", ""))
    status = _status(args.get("status", ""))
    standings = _standings(args.getlist("standing"))
    incomplete = _flag("incomplete")
    day = _day(args.get("as-of", "")) or here.today()
    selection = Selection(year, status, incomplete, frozenset(standings))
    page = pages.cohort_html(here.db, selection, day)
    filters = {"cohort": year, "status": status, "incomplete": incomplete,
               "standings": {s.value for s in standings}, "as_of": args.get("as-of", ""),
               "all_standings": [s.value for s in Standing],
               "all_statuses": [*(s.value for s in StudentStatus), EVERY_STATUS]}
    held_today = list_activities(here.db, start=here.today(), end=here.today())
    return pages.framed(pages.charts_without_eval(page),
                        render_template("bar.html", here="admin", filters=filters,
                                        held_today=held_today,
                                        waiting=claims.waiting(here.db)),
                        render_template("bar.css"), script_nonce())


def _status(text: str) -> str:
    text = text.strip().lower() or StudentStatus.ACTIVE.value
    known = [*(s.value for s in StudentStatus), EVERY_STATUS]
    if text not in known:
        raise InvalidInput(f"status: {text[:20]!r} is not one of {', '.join(known)}")
    return text


def _standings(texts: list[str]) -> set[Standing]:
    chosen = set()
    for text in filter(None, (t.strip() for t in texts)):
        try:
            chosen.add(Standing.parse(text))
        except ValueError:
            raise InvalidInput(f"standing: {text[:20]!r} is not a standing: say complete, "
                               "on track, at risk or overdue") from None
    if _flag("at-risk"):  # the report's --at-risk
        chosen.add(Standing.AT_RISK)
    return chosen


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (fields.digits(text) and len(text) == 4):
        raise InvalidInput(f"cohort: {text[:20]!r} is not a year such as 2024")
    return int(text)


def _flag(name: str) -> bool:
    value = request.args.get(name, "").strip().lower()
    if value and value not in (*YES, "0", "off", "no", "false"):
        raise InvalidInput(f"{name}: {value[:20]!r} is not yes or no")
    return value in YES


def _day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    return parse_date(text[:40], what="as-of")
