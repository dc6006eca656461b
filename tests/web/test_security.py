"""Every POST: a CSRF token tied to the browser and the same origin; every response: the
security headers; bad input: a sentence and 400; a failure: a sentence and 500."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select

from tracker.db.models import SignInRequest

from .conftest import sign_in_coordinator


def queued(portal) -> int:
    with portal.db.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(SignInRequest)) or 0)


@pytest.mark.parametrize(("how", "said"), [
    ({"token": ""}, "out of date"),
    ({"token": "0" * 64}, "out of date"),
    ({"origin": "https://evil.example.org"}, "not from the portal"),
    ({"origin": "http://127.0.0.1:8000.evil.example.org"}, "not from the portal"),
    ({"origin": "null", "headers": {"Sec-Fetch-Site": "cross-site"}}, "did not say"),
    ({"origin": "null"}, "did not say"),
    ({"origin": "", "headers": {"Sec-Fetch-Site": "same-site"}}, "did not say"),
])
def test_a_post_without_the_token_or_from_elsewhere_is_refused_and_changes_nothing(
        sqlite_portal, how, said):
    browser = sqlite_portal.browser()
    browser.get("/")
    refused = browser.post("/login", {"identity": "s1234567"}, **how)
    assert refused.status_code == 403
    assert said in refused.get_data(as_text=True)
    assert queued(sqlite_portal) == 0


def test_another_browsers_token_does_not_do(sqlite_portal):
    mine, theirs = sqlite_portal.browser(), sqlite_portal.browser()
    mine.get("/")
    theirs.get("/")
    assert mine.post("/login", {"identity": "s1234567"}, token=theirs.token).status_code == 403


def test_a_post_without_any_cookie_is_refused(sqlite_portal):
    response = sqlite_portal.app.test_client().post(
        "/login", data={"identity": "s1234567"}, headers={"Origin": sqlite_portal.base})
    assert response.status_code == 403 and "sent no cookie" in response.get_data(as_text=True)


def test_chromium_s_origin_null_under_no_referrer_passes_with_sec_fetch_site(sqlite_portal):
    browser = sqlite_portal.browser()
    browser.get("/")
    sent = browser.post("/login", {"identity": "s1234567"}, origin="null",
                        headers={"Sec-Fetch-Site": "same-origin"})
    assert sent.status_code == 200
    assert queued(sqlite_portal) == 1


def test_signing_out_is_a_post_with_the_token(sqlite_portal):
    browser = sqlite_portal.browser()
    browser.sign_in(sqlite_portal, "s1234567")
    assert browser.get("/logout").status_code == 405
    assert browser.post("/logout", token="forged").status_code == 403
    assert browser.get("/me").status_code == 200


EVERY_PAGE = ["/", "/login/code", "/login/not-a-token", "/me", "/healthz", "/favicon.ico",
              "/feed/nothing.ics", "/no/such/page"]


def test_every_response_carries_the_security_headers(sqlite_portal):
    browser = sqlite_portal.browser()
    for path in [*EVERY_PAGE, "/admin"]:
        response = browser.get(path)
        policy = response.headers["Content-Security-Policy"]
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                          "default-src 'none'"):
            assert directive in policy, path
        assert "script-src 'none'" in policy or "script-src 'nonce-" in policy, path
        assert "unsafe-eval" not in policy and "script-src 'unsafe-inline'" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert "Strict-Transport-Security" not in response.headers  # http:// base URL
    response = browser.post("/login", {"identity": "s1234567"})
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_cohort_page_s_scripts_run_by_this_response_s_nonce_only(sqlite_portal):
    browser = sign_in_coordinator(sqlite_portal)
    pages = [browser.get("/admin") for _ in range(2)]
    nonces = []
    for page in pages:
        nonce = re.search(r"script-src 'nonce-([^']+)'",
                          page.headers["Content-Security-Policy"]).group(1)
        html = page.get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>", html)
        runnable = [a for a in scripts if "application/json" not in a]
        assert runnable and all(f'nonce="{nonce}"' in a for a in runnable)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_a_body_over_6_mb_is_refused_with_a_sentence(sqlite_portal):
    browser = sqlite_portal.browser()
    browser.get("/")
    big = browser.post("/login", {"identity": "s1234567", "padding": "x" * (6 * 1024 * 1024)})
    assert big.status_code == 413
    assert "more than this portal takes at once (6 MB)" in big.get_data(as_text=True)
    assert queued(sqlite_portal) == 0


@pytest.mark.parametrize("query", ["cohort=twenty", "cohort=20245", "incomplete=maybe",
                                   "as-of=2025-13-01", "as-of=1800-01-01", "as-of=9999-12-31",
                                   "at-risk=2"])
def test_the_cohort_page_refuses_a_bad_filter_with_a_sentence(sqlite_portal, query):
    browser = sign_in_coordinator(sqlite_portal)
    refused = browser.get(f"/admin?{query}")
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert query.split("=")[0] in text and "Traceback" not in text


def test_a_failure_shows_a_sentence_and_is_logged_never_a_traceback(sqlite_portal,
                                                                    monkeypatch, caplog):
    from tracker.web import pages

    def broken(*_args, **_kwargs):
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(pages, "student_html", broken)
    browser = sqlite_portal.browser()
    browser.sign_in(sqlite_portal, "s1234567")
    with caplog.at_level(logging.ERROR, logger="tracker.web"):
        response = browser.get("/me")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "disk caught fire" not in text
    assert "GET /me failed" in caplog.text and "disk caught fire" in caplog.text


def test_healthz_answers_ok_when_the_database_does(sqlite_portal):
    response = sqlite_portal.app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_data() == b"ok\n"
    assert "Set-Cookie" not in response.headers
    from smtp_servers import free_port
    from sqlalchemy import create_engine

    from tracker.db.engine import Database

    nowhere = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none",
                            connect_args={"connect_timeout": 2})
    sqlite_portal.app.extensions["tracker"].db = Database(nowhere)
    down = sqlite_portal.app.test_client().get("/healthz")
    assert down.status_code == 503 and b"does not answer" in down.get_data()


@pytest.mark.parametrize("number", [2**31, 10**20])
def test_an_id_larger_than_any_row_s_is_not_found_on_every_route(portal, number):
    """A number the database's integer cannot hold names no row: not found on every route that
    takes an id (the database would refuse it with an error: a 500 a stranger could ask
    for at the door's address). Asked as a coordinator, so each route's guard lets the
    request through to where an id would be used; and as a stranger."""
    coordinator = sign_in_coordinator(portal)
    stranger = portal.browser()
    asked = 0
    for rule in portal.app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(number)).replace(f"<{name}>", "abcd2345")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for browser in (coordinator, stranger):
                answer = browser.get(path) if method == "GET" else browser.post(path)
                # (Werkzeug says 405 for a POST whose path no rule's number takes)
                assert answer.status_code in (404, 405), (method, path, answer.status_code)
                asked += 1
    assert asked >= 20  # every route with an id, both ways


ODD_DIGITS = ["²", "①", "٣", "1²", "9" * 5000]  # digits to str.isdigit, not all to int


@pytest.mark.parametrize("odd", ODD_DIGITS)
def test_a_number_in_other_digits_is_a_sentence_or_ignored_never_a_500(portal, odd):
    """``str.isdigit`` takes ² and ① (``int`` refuses them) and other scripts' digits; a
    link's or a form's number is read only when it is 0 to 9 (found by an attack on the
    installed portal: /me?checked-in=² and /claims?sent=² were 500s)."""
    student = portal.browser()
    student.sign_in(portal, "s1234567")
    for path in (f"/me?checked-in={odd}", f"/claims?sent={odd}"):
        assert student.get(path).status_code == 200, path
    coordinator = sign_in_coordinator(portal)
    assert coordinator.get(f"/admin?cohort={odd}").status_code == 400
    opened = coordinator.post("/admin/activities/1/open", {"minutes": odd})
    assert opened.status_code == 400 and "minutes" in opened.get_data(as_text=True)
    other = portal.browser()
    assert other.ask("coordinator@example.org").status_code == 200
    assert portal.deliver() >= 1
    token, _ = portal.last_mail()
    other.get(f"/login/{token}")
    assert other.post(f"/login/{token}", {"otp": (odd * 6)[:6]}).status_code < 500
