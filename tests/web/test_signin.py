"""Sign-in by e-mail link (SPEC §9): the link, the code, expiry, reuse, the limits, one
answer for known and unknown identities, coordinators' second factor."""

from __future__ import annotations

from sqlalchemy import event, func, select

from tracker.db.models import SignInRequest, WebSession

from .conftest import enrol, otp_now


def rows(portal, model) -> int:
    with portal.db.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_student_signs_in_from_the_mailed_link_and_sees_their_page(portal):
    browser = portal.browser()
    response = browser.sign_in(portal, "ada.jansen@EXAMPLE.org")
    assert response.status_code == 303 and response.headers["Location"] == "/me"
    page = browser.get("/me")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Signed in as Ada Jansen (s1234567)" in text and "Your requirements" in text
    [mail] = portal.postbox.messages
    assert mail["To"].addresses[0].addr_spec == "Ada.Jansen@example.org"
    assert "work once, for 10 minutes" in mail.get_content()


def test_the_student_number_works_too_and_the_mail_goes_to_the_address_on_record(portal):
    browser = portal.browser()
    assert browser.sign_in(portal, " S7654321 ").headers["Location"] == "/me"
    assert portal.postbox.messages[-1]["To"].addresses[0].addr_spec == "bram@example.org"


def test_the_typed_code_signs_in_the_browser_that_asked_and_no_other(portal):
    asking, other = portal.browser(), portal.browser()
    asking.ask("s1234567")
    portal.deliver()
    _, code = portal.last_mail()
    refused = other.post("/login/code", {"code": code})
    assert refused.status_code == 400
    assert "No sign-in is waiting in this browser" in refused.get_data(as_text=True)
    done = asking.post("/login/code", {"code": f"{code[:3].lower()} - {code[3:]}"})
    assert done.status_code == 303 and done.headers["Location"] == "/me"


def test_an_answer_is_the_same_for_known_and_unknown_identities(portal):
    """Same bytes, same status, same headers, and the same database work (its timing)."""
    statements: list[str] = []
    engine = portal.db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement.split()[0])

    browser = portal.browser()
    browser.get("/")
    answers = []
    for identity in ("ada.jansen@example.org", "nobody@example.org", "s1234567",
                     "s0000001"):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = browser.ask(identity)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        answers.append((response.status_code, response.get_data(),
                        sorted(response.headers.items()), list(statements)))
    assert answers[0] == answers[1]
    assert answers[2] == answers[3]
    assert rows(portal, SignInRequest) == 4  # each queued alike; the worker tells them apart
    assert portal.deliver() == 2


def test_a_link_works_once(portal):
    first = portal.browser()
    first.sign_in(portal, "s1234567")
    token, _ = portal.last_mail()
    second = portal.browser()
    assert second.get(f"/login/{token}").status_code == 404
    used = second.post(f"/login/{token}")
    assert used.status_code == 404 and "works once" in used.get_data(as_text=True)
    assert rows(portal, WebSession) == 1


def test_a_link_and_its_code_die_after_ten_minutes(portal):
    browser = portal.browser()
    browser.ask("s1234567")
    portal.deliver()
    token, code = portal.last_mail()
    portal.clock.advance(minutes=10, seconds=1)
    assert browser.get(f"/login/{token}").status_code == 404
    assert browser.post(f"/login/{token}").status_code == 404
    assert browser.post("/login/code", {"code": code}).status_code == 400
    assert rows(portal, WebSession) == 0


def test_a_mail_scanner_following_the_link_changes_nothing(portal):
    browser = portal.browser()
    browser.ask("s1234567")
    portal.deliver()
    token, _ = portal.last_mail()
    with portal.db.transaction(read_only=True) as session:
        before = [tuple(r) for r in session.execute(select(SignInRequest.__table__))]
    scanner = portal.browser()
    for _ in range(3):
        page = scanner.get(f"/login/{token}")
        assert page.status_code == 200 and "Sign in as Ada Jansen?" in page.get_data(
            as_text=True)
    with portal.db.transaction(read_only=True) as session:
        assert [tuple(r) for r in session.execute(select(SignInRequest.__table__))] == before
    assert rows(portal, WebSession) == 0
    assert browser.post(f"/login/{token}").status_code == 303


def test_a_browser_signed_in_as_someone_else_ends_up_as_the_links_owner_and_is_told(portal):
    browser = portal.browser()
    browser.sign_in(portal, "bram@example.org")
    bram_cookie = browser.cookie()
    browser.ask("s1234567")
    portal.deliver()
    token, _ = portal.last_mail()
    confirm = browser.get(f"/login/{token}").get_data(as_text=True)
    assert "This browser is signed in as Bram de Vries now" in confirm
    switched = browser.post(f"/login/{token}")
    assert switched.status_code == 200
    said = switched.get_data(as_text=True)
    assert "You are signed in as Ada Jansen" in said
    assert "was signed in as Bram de Vries until now" in said
    assert "Signed in as Ada Jansen" in browser.get("/me").get_data(as_text=True)
    assert browser.cookie() != bram_cookie
    assert rows(portal, WebSession) == 1  # Bram's session in this browser ended


def test_three_mails_per_identity_then_a_sentence_and_429_known_or_not(portal):
    for identity in ("s1234567", "s0000001"):
        browser = portal.browser()
        for _ in range(3):
            assert browser.ask(identity).status_code == 200
        refused = browser.ask(identity)
        assert refused.status_code == 429
        assert "3 sign-in mails were asked for" in refused.get_data(as_text=True)
    assert rows(portal, SignInRequest) == 6


def test_sixty_mails_per_client_address(portal):
    browser = portal.browser()
    browser.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for number in range(60):
        assert browser.ask(f"student{number}@example.org").status_code == 200
    refused = browser.ask("one.more@example.org")
    assert refused.status_code == 429 and "from your network" in refused.get_data(
        as_text=True)
    elsewhere = portal.browser()
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert elsewhere.ask("one.more@example.org").status_code == 200


def test_the_worker_sends_at_most_three_mails_to_one_person_in_fifteen_minutes(portal):
    for identity in ("s1234567", "Ada.Jansen@example.org", "ADA.JANSEN@example.org",
                     "s1234567 "):
        portal.browser().ask(identity)
    portal.deliver()
    assert len(portal.postbox.messages) == 3


def test_five_wrong_codes_void_the_request(portal):
    browser = portal.browser()
    browser.ask("s1234567")
    portal.deliver()
    token, code = portal.last_mail()
    for tries_left in (4, 3, 2, 1):
        wrong = browser.post("/login/code", {"code": "AAAAAA"})
        assert wrong.status_code == 400
        assert f"{tries_left} more tr" in wrong.get_data(as_text=True)
    fifth = browser.post("/login/code", {"code": "AAAAAA"})
    assert fifth.status_code == 429 and "fifth wrong code" in fifth.get_data(as_text=True)
    assert browser.post("/login/code", {"code": code}).status_code == 400
    assert browser.get(f"/login/{token}").status_code == 404


def test_bad_values_are_refused_with_a_sentence_and_nothing_is_written(portal):
    browser = portal.browser()
    for identity, said in (("", "type the e-mail address"),
                           ("hello there", "neither an e-mail address nor a student number"),
                           ("x" * 300, "longer than any"),
                           ("ada@exa mple.org", "is not an e-mail address")):
        refused = browser.ask(identity)
        assert refused.status_code == 400, identity
        assert said in refused.get_data(as_text=True), identity
    assert browser.post("/login/code", {"code": ""}).status_code == 400
    assert rows(portal, SignInRequest) == 0


def test_a_coordinator_needs_the_link_and_a_one_time_password(portal):
    coordinator_secret = enrol(portal)
    browser = portal.browser()
    browser.ask("coordinator@example.org")
    portal.deliver()
    token, _ = portal.last_mail()
    assert "authenticator app" in portal.postbox.messages[-1].get_content()
    page = browser.get(f"/login/{token}").get_data(as_text=True)
    assert 'name="otp"' in page
    wrong = browser.post(f"/login/{token}", {"otp": "000000"})
    assert wrong.status_code == 400 and "4 more tries" in wrong.get_data(as_text=True)
    assert browser.post(f"/login/{token}", {}).status_code == 400
    right = browser.post(f"/login/{token}",
                         {"otp": otp_now(coordinator_secret, portal.clock)})
    assert right.status_code == 303 and right.headers["Location"] == "/admin"
    assert browser.get("/admin").status_code == 200


def test_a_one_time_password_is_good_once(portal):
    coordinator_secret = enrol(portal)
    otp = otp_now(coordinator_secret, portal.clock)
    first = portal.browser()
    assert first.sign_in(portal, "coordinator@example.org", otp).status_code == 303
    second = portal.browser()
    replayed = second.sign_in(portal, "coordinator@example.org", otp)
    assert replayed.status_code == 400
    portal.clock.advance(seconds=30)
    token, _ = portal.last_mail()
    assert second.post(f"/login/{token}", {
        "otp": otp_now(coordinator_secret, portal.clock)}).status_code == 303


def test_a_coordinator_typing_the_code_gives_the_one_time_password_too(portal):
    coordinator_secret = enrol(portal)
    browser = portal.browser()
    browser.ask("coordinator@example.org")
    portal.deliver()
    _, code = portal.last_mail()
    asked = browser.post("/login/code", {"code": code})
    assert asked.status_code == 400 and "authenticator" in asked.get_data(as_text=True)
    done = browser.post("/login/code", {"code": code,
                                        "otp": otp_now(coordinator_secret, portal.clock)})
    assert done.status_code == 303 and done.headers["Location"] == "/admin"


def test_a_request_nobody_sent_is_sent_again_after_a_crash(portal):
    """A worker that took a request and stopped (a crash): another takes it after the
    lease, with a new link; the first link, had its mail left, no longer works."""
    from tracker.service.portal import signin

    browser = portal.browser()
    browser.ask("s1234567")
    lost = signin.next_mail(portal.db, portal.clock())  # taken, then the worker dies
    assert lost is not None
    assert portal.deliver() == 0  # within the lease nobody else takes it
    portal.clock.advance(minutes=3)
    assert portal.deliver() == 1
    token, _ = portal.last_mail()
    assert token != lost.token
    assert browser.get(f"/login/{lost.token}").status_code == 404
    assert browser.post(f"/login/{token}").status_code == 303


def test_a_mail_that_could_not_leave_is_tried_again(portal):
    from tracker.mail.smtp import DeliveryFailed

    failing = {"left": 1}
    deliver = portal.postbox.deliver

    def flaky(message, recipient, name):
        if failing["left"]:
            failing["left"] -= 1
            raise DeliveryFailed("the server is down")
        deliver(message, recipient, name)

    portal.postbox.deliver = flaky
    portal.browser().ask("s1234567")
    assert portal.deliver() == 0
    assert portal.deliver() == 1
    assert len(portal.postbox.messages) == 1
