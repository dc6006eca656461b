"""The coordinator's pages: the cohort page, live, with the report's filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request

from tracker.errors import InvalidInput
from tracker.web import pages
from tracker.web.app import portal
from tracker.web.security import script_nonce

YES = ("1", "on", "yes", "true")


def cohort() -> Any:
    """``/admin?cohort=2024&incomplete=1&at-risk=1&as-of=2025-06-30``: what
    ``report --format html`` writes with those options."""
    here = portal()
    args = request.args
    year = _year(args.get("cohort", ""))
    incomplete = _flag("incomplete")
    at_risk = _flag("at-risk")
    day = _day(args.get("as-of", "")) or here.today()
    page = pages.cohort_html(here.db, year, incomplete, at_risk, day)
    filters = {"cohort": year, "incomplete": incomplete, "at_risk": at_risk,
               "as_of": args.get("as-of", "")}
    return pages.framed(pages.charts_without_eval(page),
                        render_template("bar.html", here="admin", filters=filters),
                        render_template("bar.css"), script_nonce())


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isdigit() and len(text) == 4):
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
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"as-of: {text[:20]!r} is not a date such as 2025-06-30") from None
