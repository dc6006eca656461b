"""What every view of the portal shares: the :class:`Portal` of this app (its database,
its site, its clock), who the browser is signed in as, and a page of one sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from flask import current_app, g, render_template, request

from tracker.db.engine import Database
from tracker.service.portal.sessions import Visitor
from tracker.web.site import Site

if TYPE_CHECKING:
    from tracker.web.mailqueue import MailWorker

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Portal:
    """What the views share: the database, where students reach us, the clock."""

    db: Database
    site: Site
    key: bytes  # of the CSRF tokens (kept in the database: every process has the same)
    clock: Clock
    mail: MailWorker
    extra: dict[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone().date()  # the day as the command line judges it


def portal() -> Portal:
    found: Portal = current_app.extensions["tracker"]
    return found


def visitor() -> Visitor | None:
    """Who this browser is signed in as (looked up once per request, when asked)."""
    if "visitor" not in g:
        from tracker.service.portal.sessions import visitor as find

        key = request.cookies.get(portal().site.cookie_name)
        g.visitor = find(portal().db, key, portal().now()) if key else None
    found: Visitor | None = g.visitor
    return found


def message(text: str, status: int, title: str = "Something is not right") \
        -> tuple[str, int]:
    """A page with one sentence (and the way back), for refusals and errors."""
    return render_template("message.html", title=title, text=text, signed_in=False), status
