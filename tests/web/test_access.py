"""Access control as a table (pretix's way): every route of the app's URL map, for an
anonymous visitor, a student, another student and a coordinator, with the answer each
gets. A route added without a row here fails :func:`test_every_route_has_a_row`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tracker.db.models import Coordinator, Student

from .conftest import Browser, Portal, enrol

ROLES = ("anonymous", "student", "other student", "coordinator")
ME, ADMIN, SIGN_IN = ("to", "/me"), ("to", "/admin"), ("to", "/")


@dataclass(frozen=True)
class Case:
    """One request; ``url`` may name the objects of the student (``{feed}``, ``{link}``)."""

    url: str
    answers: dict[str, int | tuple[str, str]]
    form: dict[str, str] | None = None

    @classmethod
    def same(cls, url: str, answer: int | tuple[str, str], **kw: dict[str, str]) -> Case:
        return cls(url, dict.fromkeys(ROLES, answer), **kw)


def students_only(url: str) -> Case:
    return Case(url, {"anonymous": SIGN_IN, "student": 200, "other student": 200,
                      "coordinator": 403})


def signed_in(url: str) -> Case:
    return Case(url, {"anonymous": SIGN_IN, "student": 200, "other student": 200,
                      "coordinator": 200})


def coordinators_only(url: str, answer: int | tuple[str, str] = 200,
                      form: dict[str, str] | None = None) -> Case:
    return Case(url, {"anonymous": SIGN_IN, "student": 403, "other student": 403,
                      "coordinator": answer}, form)


# (rule, method) -> the cases: every answer of every role.
TABLE: dict[tuple[str, str], list[Case]] = {
    ("/healthz", "GET"): [Case.same("/healthz", 200)],
    ("/favicon.ico", "GET"): [Case.same("/favicon.ico", 200)],
    ("/", "GET"): [Case("/", {"anonymous": 200, "student": ME, "other student": ME,
                              "coordinator": ADMIN})],
    ("/login", "POST"): [Case.same("/login", 200, form={"identity": "s1234567"}),
                         Case.same("/login", 400, form={"identity": ""})],
    ("/login/code", "GET"): [Case.same("/login/code", 200)],
    ("/login/code", "POST"): [Case.same("/login/code", 400, form={"code": "AAAAAA"})],
    ("/login/<token>", "GET"): [Case.same("/login/{link}", 200),  # the link is the key
                                Case.same("/login/made-up", 404)],
    ("/login/<token>", "POST"): [Case.same("/login/made-up", 404)],
    ("/logout", "POST"): [signed_in("/logout")],
    ("/logout/everywhere", "POST"): [signed_in("/logout/everywhere")],
    ("/me", "GET"): [students_only("/me")],
    ("/me/progress.json", "GET"): [students_only("/me/progress.json")],
    ("/me/calendar", "GET"): [students_only("/me/calendar")],
    ("/me/calendar", "POST"): [students_only("/me/calendar")],
    ("/feed/<token>.ics", "GET"): [Case.same("/feed/{feed}.ics", 200),  # the token is the key
                                   Case.same("/feed/made-up.ics", 404)],
    # The door: the projector's secret is its key; a scan is judged by its code.
    ("/door/<secret>", "GET"): [Case.same("{projector}", 200),
                                Case.same("/door/made-up", 404)],
    ("/door/<secret>/now.json", "GET"): [Case.same("{projector}/now.json", 200),
                                         Case.same("/door/made-up/now.json", 404)],
    ("/c/<int:activity>/<code>", "GET"): [
        Case("/c/{activity}/{code}", {"anonymous": 200, "student": 200,
                                      "other student": 200, "coordinator": 400}),
        Case.same("/c/{activity}/aaaaaaaa", 400)],
    ("/c/<int:activity>/<code>", "POST"): [Case.same("/c/{activity}/{code}", 400)],  # no seal
    ("/admin/activities/<int:activity_id>", "GET"): [
        coordinators_only("/admin/activities/{activity}"),
        Case("/admin/activities/999", {"anonymous": SIGN_IN, "student": 403,
                                       "other student": 403, "coordinator": 404})],
    ("/admin/activities/<int:activity_id>/checkins.json", "GET"): [
        coordinators_only("/admin/activities/{activity}/checkins.json")],
    ("/admin/activities/<int:activity_id>/open", "POST"): [
        coordinators_only("/admin/activities/{activity}/open",
                          ("to", "/admin/activities/{activity}"))],
    ("/admin/activities/<int:activity_id>/remove", "POST"): [
        coordinators_only("/admin/activities/{activity}/remove", 200,
                          form={"student": "s1234567"})],
    ("/admin/activities/<int:activity_id>/close", "POST"): [
        coordinators_only("/admin/activities/{activity}/close",
                          ("to", "/admin/activities/{activity}"))],
    ("/admin", "GET"): [coordinators_only("/admin")],
    ("/claims", "GET"): [students_only("/claims")],
    ("/claims", "POST"): [Case("/claims", {"anonymous": SIGN_IN, "student": 400,
                                           "other student": 400, "coordinator": 403},
                               form={"kind": "career-event", "date": "2026-11-20",
                                     "title": ""})],
    ("/claims/<int:claim_id>/evidence", "GET"): [
        Case("/claims/{claim}/evidence", {"anonymous": SIGN_IN, "student": 200,
                                          "other student": 404, "coordinator": 403}),
        Case("/claims/999999/evidence", {"anonymous": SIGN_IN, "student": 404,
                                         "other student": 404, "coordinator": 403})],
    ("/admin/claims", "GET"): [coordinators_only("/admin/claims")],
    ("/admin/claims/<int:claim_id>/evidence", "GET"): [
        coordinators_only("/admin/claims/{claim}/evidence"),
        coordinators_only("/admin/claims/999999/evidence", 404)],
    ("/admin/claims/<int:claim_id>/approve", "POST"): [
        coordinators_only("/admin/claims/999999/approve", 404)],
    ("/admin/claims/<int:claim_id>/reject", "POST"): [  # no reason: refused
        coordinators_only("/admin/claims/{claim}/reject", 400)],
}


def test_every_route_has_a_row(sqlite_portal):
    routes = {(rule.rule, method) for rule in sqlite_portal.app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(TABLE), (routes ^ set(TABLE))


def browser_of(portal: Portal, role: str) -> Browser:
    from tracker.service.portal import sessions

    browser = portal.browser()
    if role == "anonymous":
        return browser
    with portal.db.transaction() as session:
        if role == "coordinator":
            person = session.scalar(select(Coordinator.id))
            key = sessions.start(session, "coordinator", int(person), portal.clock())
        else:
            number = "s1234567" if role == "student" else "s7654321"
            person = session.scalar(select(Student.id).where(Student.number == number))
            key = sessions.start(session, "student", int(person), portal.clock())
    browser.client.set_cookie("tracker", key)
    return browser


@pytest.fixture
def objects(portal: Portal) -> Callable[[], dict[str, str]]:
    """The student's (Ada's) objects: a live sign-in link, a calendar address, a claim
    with its evidence; and an activity of today with its door open (the projector's
    path, the code now)."""
    from tracker.service import claims
    from tracker.service.evidence import Upload
    from tracker.service.portal import feeds, signin
    from web.claim_files import PDF

    from .test_door import add_activity, code_now, open_door

    enrol(portal)
    with portal.db.transaction(read_only=True) as session:
        ada = int(session.scalar(select(Student.id).where(Student.number == "s1234567")))
    activity = add_activity(portal)
    claim = claims.submit(portal.db, ada, claims.ClaimForm(
        "career-event", "2026-11-20", "Pharma career day"), Upload("c.pdf", PDF),
        portal.clock()).id

    def make() -> dict[str, str]:
        return {"link": signin.issue_link(portal.db, "s1234567", portal.clock()),
                "feed": feeds.new_feed(portal.db, ada, portal.clock()),
                "projector": open_door(portal, activity), "activity": str(activity),
                "code": code_now(portal, activity), "claim": str(claim)}

    return make


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(portal, objects, role):
    wrong = []
    for (_rule, method), cases in TABLE.items():
        for case in cases:
            made = objects()
            url = case.url.format(**made)
            browser = browser_of(portal, role)
            response = (browser.post(url, case.form) if method == "POST"
                        else browser.get(url))
            expected = case.answers[role]
            if isinstance(expected, tuple):
                expected = (expected[0], expected[1].format(**made))
            got: int | tuple[str, str] = response.status_code
            if response.status_code in (302, 303):
                got = ("to", response.headers["Location"])
            if got != expected:
                wrong.append(f"{method} {case.url}: {got}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_no_page_a_student_loads_holds_another_students_data(portal, objects):
    ada = browser_of(portal, "student")
    made = objects()
    pages = [ada.get(url).get_data(as_text=True) for url in
             ("/me", "/me/progress.json", "/me/calendar", f"/feed/{made['feed']}.ics", "/",
              f"/me?checked-in={made['activity']}", "/claims")]
    secret = made["projector"].rsplit("/", 1)[1]
    for page in pages:
        assert "s7654321" not in page and "Bram" not in page
        assert secret not in page and made["code"] not in page  # the door's, none of it
