"""``POST /login`` costs a fixed, small number of SQL statements (issue 23: on PostgreSQL
it must answer within twice ``/healthz``, and each statement is a round trip): the
locks with the rules' version in one, the counts of the limits with the insert in the
other. The version this process last parsed is only a guess, checked in the locks'
statement: rules loaded by another process are the ones a number is read by."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Tracker
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.db.models import SignInRequest

# PostgreSQL: the locks (with the newest rules' id and digest), the insert that counts
# (BEGIN and COMMIT go with the driver's transaction). SQLite: BEGIN IMMEDIATE, the
# newest rules' id and digest, the insert that counts.
STATEMENTS = {"postgresql": 2, "sqlite": 3}


def asked(portal: Any, browser: Any, identity: str) -> tuple[list[str], Any]:
    seen: list[str] = []

    def listener(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    browser.get("/")  # (its token, outside the count)
    event.listen(portal.db.engine, "before_cursor_execute", listener)
    try:
        answer = browser.ask(identity)
    finally:
        event.remove(portal.db.engine, "before_cursor_execute", listener)
    return seen, answer


def queued(portal: Any) -> list[str | None]:
    with portal.db.transaction(read_only=True) as session:
        return list(session.scalars(select(SignInRequest.identity)
                                    .order_by(SignInRequest.id)))


def guessed_pattern() -> str | None:
    from tracker.service.rules import last_in_force

    last = last_in_force()
    return None if last is None else last.book.student_number_pattern


def test_a_sign_in_request_costs_the_same_few_statements_number_or_address(portal):
    portal.browser().ask("s1234567")  # this process has parsed this database's rules
    costs = []
    for identity in ("s7654321", "s0000002", "ada.jansen@example.org", "nobody@example.org"):
        statements, answer = asked(portal, portal.browser(), identity)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
        costs.append(len(statements))
    most = STATEMENTS[portal.db.engine.dialect.name]
    # An address needs no rules: on SQLite it skips their read; on PostgreSQL the
    # version rides in the locks' statement, with or without.
    assert costs[:2] == [most, most], costs
    assert all(cost <= most for cost in costs), costs


def test_a_refusal_counts_again_to_say_which_limit(portal):
    browser = portal.browser()
    for _ in range(3):
        assert browser.ask("s1234567").status_code == 200
    statements, refused = asked(portal, browser, "s1234567")
    assert refused.status_code == 429
    assert "3 sign-in mails were asked for s1234567" in refused.get_data(as_text=True)
    assert len(statements) == STATEMENTS[portal.db.engine.dialect.name] + 1
    assert len(queued(portal)) == 3


def load_seven_digit_numbers(portal, tmp_path) -> None:
    """Another process (the command line) loads the rules in force with student numbers
    of seven digits alone."""
    tracker = Tracker(portal.url)
    shown = tracker("rules", "show", "--toml").stdout
    rules = tmp_path / "rules.toml"
    rules.write_text(shown.replace('student_number = "^s[0-9]{7}$"',
                                   'student_number = "^[0-9]{7}$"'))
    tracker("rules", "load", str(rules))


def test_rules_loaded_elsewhere_read_the_next_number_typed(portal, tmp_path):
    """Another process loads rules whose student numbers are 7 digits alone: this
    process, which parsed the Leiden rules, reads the next request by the new ones."""
    assert portal.browser().ask("1234567").status_code == 200  # Leiden: s1234567
    load_seven_digit_numbers(portal, tmp_path)
    assert guessed_pattern() == "^s[0-9]{7}$"  # what this process guesses by

    refused = portal.browser().ask("s7654321")  # a number by the guess, not by the rules
    assert refused.status_code == 400
    assert "neither an e-mail address nor a student number" in refused.get_data(
        as_text=True)
    assert portal.browser().ask("7654321").status_code == 200  # now a number as typed
    assert queued(portal) == ["s1234567", "7654321"]


def test_rules_loaded_elsewhere_that_read_a_number_otherwise_lock_that_identity(portal,
                                                                              tmp_path):
    """The guessed rules read "1234567" as s1234567, the new ones as 1234567: another
    identity, so another lock and other counts; the request is asked again, by the new
    rules."""
    portal.browser().ask("s0000001")  # this process has parsed the Leiden rules
    load_seven_digit_numbers(portal, tmp_path)
    assert guessed_pattern() == "^s[0-9]{7}$"
    browser = portal.browser()
    for _ in range(3):
        assert browser.ask("1234567").status_code == 200
    assert browser.ask("1234567").status_code == 429  # counted as 1234567, not s1234567
    assert queued(portal) == ["s0000001", "1234567", "1234567", "1234567"]


@pytest.mark.postgres
def test_only_the_sign_in_requests_transaction_commits_asynchronously(postgres_url):
    """``set_config(..., true)`` is ``SET LOCAL``: the connection's next transaction (a
    session, a mail's claim) commits synchronously again."""
    from tracker.db import portal
    from tracker.db.engine import Database, resolve_url

    db = Database.from_url(resolve_url(postgres_url))
    try:
        with db.engine.connect() as connection:
            with connection.begin():
                portal.serialise_asking(connection, ["identity:x", "client:y"],
                                        newest_rules=False)
                said = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
                assert said == "off"
            with connection.begin():
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            with Session(connection) as session, session.begin():
                portal.serialise(session, ["person:x"])  # the mail worker's: durable
                said = session.connection().exec_driver_sql("SHOW synchronous_commit")
                assert said.scalar() == "on"
    finally:
        db.dispose()


def test_the_check_your_mail_page_is_rendered_once_and_carries_each_browsers_token(portal):
    """Rendering it was an eighth of the request's CPU: the page is the same for
    everyone but for the code form's CSRF token, so Jinja renders it once per app."""
    from flask import render_template, template_rendered

    rendered: list[str] = []

    def listener(_app: object, template: Any, **_: object) -> None:
        rendered.append(template.name)

    answers = []
    template_rendered.connect(listener, portal.app)
    try:
        for identity in ("s1234567", "s7654321", "ada.jansen@example.org"):
            browser = portal.browser()
            answer = browser.ask(identity)
            assert answer.status_code == 200
            answers.append((browser.cookie(), answer.get_data(as_text=True)))
            # the page's token is this browser's: its code form passes the CSRF check
            assert browser.post("/login/code", {"code": "AAA-AAA"}).status_code == 400
    finally:
        template_rendered.disconnect(listener, portal.app)
    assert rendered.count("sent.html") <= 1, rendered
    assert len({page for _, page in answers}) == 3
    for cookie, page in answers:  # as Jinja renders it for that browser
        with portal.app.test_request_context("/login", headers={"Cookie": f"tracker={cookie}"}):
            assert page == render_template("sent.html", error=None)
