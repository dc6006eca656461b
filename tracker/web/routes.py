"""Every route of the portal, in one table: its path, its methods, its view and who may
enter. The guard comes from this table, so a view cannot be left unguarded, and a test
walks the app's URL map against its own table of answers (tests/web/test_access.py), so
a new route cannot slip in untested."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, redirect
from werkzeug.routing import IntegerConverter, Map

from tracker.web import admin, auth, basics, claims, door, door_admin, feed, me
from tracker.web.security import Forbidden


class Who(Enum):
    ANYONE = "anyone"
    SIGNED_IN = "signed in"
    STUDENT = "student"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Route:
    area: str  # the blueprint
    rule: str
    view: Callable[..., Any]
    who: Who
    methods: tuple[str, ...] = ("GET",)


ROUTES: tuple[Route, ...] = (
    Route("basics", "/healthz", basics.healthz, Who.ANYONE),
    Route("basics", "/favicon.ico", basics.favicon, Who.ANYONE),
    Route("auth", "/", auth.home, Who.ANYONE),
    Route("auth", "/login", auth.ask, Who.ANYONE, ("POST",)),
    Route("auth", "/login/code", auth.code_form, Who.ANYONE),
    Route("auth", "/login/code", auth.with_code, Who.ANYONE, ("POST",)),
    Route("auth", "/login/<token>", auth.confirm, Who.ANYONE),
    Route("auth", "/login/<token>", auth.with_link, Who.ANYONE, ("POST",)),
    Route("auth", "/logout", auth.sign_out, Who.SIGNED_IN, ("POST",)),
    Route("auth", "/logout/everywhere", auth.sign_out_everywhere, Who.SIGNED_IN, ("POST",)),
    Route("me", "/me", me.progress_page, Who.STUDENT),
    Route("me", "/me/progress.json", me.progress_json, Who.STUDENT),
    Route("me", "/me/calendar", me.calendar_page, Who.STUDENT),
    Route("me", "/me/calendar", me.new_calendar, Who.STUDENT, ("POST",)),
    Route("feed", "/feed/<token>.ics", feed.calendar_feed, Who.ANYONE),  # the token is the key
    Route("admin", "/admin", admin.cohort, Who.COORDINATOR),
    Route("admin", "/admin/activities/<int:activity_id>", door_admin.activity_page,
          Who.COORDINATOR),
    Route("admin", "/admin/activities/<int:activity_id>/checkins.json",
          door_admin.checkins_json, Who.COORDINATOR),
    Route("admin", "/admin/activities/<int:activity_id>/open", door_admin.open_door,
          Who.COORDINATOR, ("POST",)),
    Route("admin", "/admin/activities/<int:activity_id>/close", door_admin.close_door,
          Who.COORDINATOR, ("POST",)),
    Route("admin", "/admin/activities/<int:activity_id>/remove", door_admin.remove,
          Who.COORDINATOR, ("POST",)),
    # The door: the projector's secret is the key; the scan is judged by its code.
    Route("door", "/door/<secret>", door.projector, Who.ANYONE),
    Route("door", "/door/<secret>/now.json", door.projector_json, Who.ANYONE),
    Route("door", "/c/<int:activity>/<code>", door.scan, Who.ANYONE),
    Route("door", "/c/<int:activity>/<code>", door.press, Who.ANYONE, ("POST",)),
    Route("claims", "/claims", claims.student_claims, Who.STUDENT),
    Route("claims", "/claims", claims.submit_claim, Who.STUDENT, ("POST",)),
    Route("claims", "/claims/<int:claim_id>/evidence", claims.student_evidence, Who.STUDENT),
    Route("claims", "/admin/claims", claims.queue, Who.COORDINATOR),
    Route("claims", "/admin/claims/<int:claim_id>/evidence", claims.coordinator_evidence,
          Who.COORDINATOR),
    Route("claims", "/admin/claims/<int:claim_id>/approve", claims.approve_claim,
          Who.COORDINATOR, ("POST",)),
    Route("claims", "/admin/claims/<int:claim_id>/reject", claims.reject_claim,
          Who.COORDINATOR, ("POST",)),
)


FOR_OTHERS = {
    Who.STUDENT: "This page is a student's own page. Yours is the cohort page, at /admin.",
    Who.COORDINATOR: "This page is for coordinators. Your own page is at /me.",
}


def guarded(who: Who, view: Callable[..., Any]) -> Callable[..., Any]:
    """``view`` behind its door: a visitor who is not signed in goes to the sign-in
    page; a student at a coordinator's page (or the other way round) gets 403."""
    if who == Who.ANYONE:
        return view

    @wraps(view)
    def entered(**kwargs: Any) -> Any:
        from tracker.web.here import visitor

        person = visitor()
        if person is None:
            return redirect("/", 303)
        if who in (Who.STUDENT, Who.COORDINATOR) and person.role != who.value:
            raise Forbidden(FOR_OTHERS[who])
        return view(**kwargs)

    return entered


MOST_ID = 2**31 - 1  # the largest key PostgreSQL's integer (and so every engine) holds


class RowId(IntegerConverter):
    """``<int:...>`` in every route: a row's id, at most :data:`MOST_ID`. A larger number
    names no row: the route does not match (404), where the database would refuse the
    number with an error (a 500 a stranger could ask for)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MOST_ID)
        super().__init__(map, *args, **kwargs)


def register(app: Flask) -> None:
    app.url_map.converters["int"] = RowId  # before the first rule is added
    blueprints: dict[str, Blueprint] = {}
    for route in ROUTES:
        blueprint = blueprints.get(route.area)
        if blueprint is None:
            blueprint = blueprints[route.area] = Blueprint(route.area, f"tracker.web.{route.area}")
        blueprint.add_url_rule(route.rule, endpoint=route.view.__name__,
                               view_func=guarded(route.who, route.view),
                               methods=list(route.methods))
    for blueprint in blueprints.values():
        app.register_blueprint(blueprint)
