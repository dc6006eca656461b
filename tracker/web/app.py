"""The application factory: one portal over one database, its hooks and its error pages."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from tracker.db.engine import Database, resolve_url
from tracker.errors import NotFound, TrackerError
from tracker.service.portal import TooManyRequests
from tracker.web import security
from tracker.web.here import Clock, Portal, message, utc_now, visitor
from tracker.web.mail import Postbox, postbox_from_environment
from tracker.web.mailqueue import MailWorker
from tracker.web.site import Site

BASE_URL_ENV = "TRACKER_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MAX_BODY = 6 * 1024 * 1024  # a claim's evidence (5 MB) and its form fit; more is refused
LOG = logging.getLogger("tracker.web")

def create_app(database_url: str | None = None, *, base_url: str | None = None,
               postbox: Postbox | None = None, clock: Clock | None = None,
               background_mail: bool = True, threads: int | None = None) -> Flask:
    """The portal as a WSGI app: ``tracker serve`` runs it under waitress; any WSGI
    server can (``tracker.web:create_app()``). Unset arguments come from the same
    environment as the command line: ``TRACKER_DATABASE_URL``, ``TRACKER_BASE_URL``,
    ``TRACKER_SMTP_URL``, ``TRACKER_MAIL_FROM``. ``threads``: how many requests the
    server answers at once (the database keeps a connection open for each, and one for
    the mail worker)."""
    from tracker.service.portal.secrets import portal_key
    from tracker.web.routes import register

    site = Site.of(base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)
    db = open_database(resolve_url(database_url), None if threads is None else threads + 1)
    the_clock = clock or utc_now
    worker = MailWorker(db, postbox or postbox_from_environment(), site, the_clock)
    app = Flask("tracker.web", static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, TRAP_HTTP_EXCEPTIONS=False)
    app.extensions["tracker"] = Portal(db, site, portal_key(db), the_clock, worker)
    app.jinja_env.globals.update(csrf_token=security.csrf_token, stylesheet=_stylesheet,
                                 visitor=visitor)
    app.before_request(_check)
    security.install(app)
    _error_pages(app)
    register(app)
    if background_mail:
        app.before_request(worker.start)  # in the process that serves (a fork starts anew)
    return app


def open_database(url: str, connections: int | None = None) -> Database:
    """The database as every command opens it: made at the newest schema when new,
    refused when behind."""
    from tracker.db.schema import ensure_ready

    db = Database.from_url(url, connections)
    if ensure_ready(db.engine):
        from tracker.service.rules import ensure_default_rules

        ensure_default_rules(db)
    return db


def _stylesheet() -> Any:
    from tracker.pages import stylesheet

    return stylesheet()


def _check() -> None:
    security.check_post(request)


SENTENCES = {
    400: "The request was not understood.",
    403: "You may not open this page.",
    404: "There is no such page here.",
    405: "This page does not take that kind of request.",
    413: "That is more than this portal takes at once (6 MB). A claim's evidence may be "
         "at most 5 MB: a photo of the certificate at a lower size, or a PDF, will do.",
}


def _error_pages(app: Flask) -> None:
    @app.errorhandler(security.Forbidden)
    def forbidden(error: security.Forbidden) -> tuple[str, int]:
        return message(str(error), 403)

    @app.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests) -> tuple[str, int]:
        return message(str(error), 429, "Please wait a little")

    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> tuple[str, int]:
        return message(SENTENCES[404], 404, "Not found")

    @app.errorhandler(TrackerError)
    def refused(error: TrackerError) -> tuple[str, int]:
        return message(str(error), 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if status < 400:  # a redirect Werkzeug's routing makes (a missing slash)
            return error.get_response()
        return message(SENTENCES.get(status, error.description or ""), status)

    @app.errorhandler(Exception)
    def failure(error: Exception) -> tuple[str, int]:
        # The route's pattern, not the path: a path may hold a sign-in or calendar token.
        rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
        LOG.exception("%s %s failed", request.method, rule)
        return message("Something went wrong on our side. It has been logged; please try "
                       "again in a minute, and tell your coordinator if it keeps happening.",
                       500, "Sorry")
