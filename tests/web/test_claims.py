"""Claims over plain HTTP: the student's form and every refusal (400, the sentence,
nothing stored), the evidence and who may have it, the coordinator's queue and its
decisions, on both engines."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from tracker.db.models import Claim, ClaimEvidence, Participation, Student

from .claim_files import HTML, HTML_BEFORE_PDF, JPEG, PDF, SVG, png
from .conftest import Portal
from .test_access import browser_of

GOOD = {"kind": "career-event", "date": "2026-11-20", "title": "KNPSV Profession Day",
        "organiser": "KNPSV", "description": "Spoke with three companies."}


def claim(browser: Any, fields: dict[str, Any] | None = None, file: bytes | None = PDF,
          name: str = "certificate.pdf") -> Any:
    data: dict[str, Any] = {**GOOD, **(fields or {})}
    if file is not None:
        data["evidence"] = (io.BytesIO(file), name)
    return browser.post("/claims", data)


def stored(portal: Portal) -> tuple[int, int]:
    with portal.db.transaction(read_only=True) as session:
        return (session.scalar(select(func.count()).select_from(Claim)) or 0,
                session.scalar(select(func.count()).select_from(ClaimEvidence)) or 0)


def ada_id(portal: Portal) -> int:
    with portal.db.transaction(read_only=True) as session:
        return int(session.scalar(select(Student.id).where(Student.number == "s1234567")))


def test_a_student_claims_with_evidence_and_sees_it_waiting(portal):
    ada = browser_of(portal, "student")
    page = ada.get("/claims").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'name="evidence"' in page
    assert 'value="career-event"' in page and 'value="colloquium"' not in page  # claimable only
    sent = claim(ada, file=png(), name="photo of certificate.png")
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/claims?sent=")
    page = ada.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Thank you" in page and "Waiting" in page and "KNPSV Profession Day" in page
    me = ada.get("/me").get_data(as_text=True)  # beside the requirement it would count for
    assert me.count("pending: 1 claim") == 1
    assert ada.get("/me/progress.json").get_json()["requirements"][4]["pending_claims"] == 1
    with portal.db.transaction(read_only=True) as session:
        evidence = session.scalars(select(ClaimEvidence)).one()
        assert (evidence.type, bytes(evidence.content)) == ("image/png", png())
        assert evidence.name == "photo of certificate.png"


REFUSALS = [
    ({"kind": "colloquium"}, PDF, "a.pdf", "cannot be claimed"),
    ({"kind": "made-up"}, PDF, "a.pdf", "is not a kind of activity"),
    ({"date": "2026-12-02"}, PDF, "a.pdf", "in the future"),
    ({"date": "2025-08-31"}, PDF, "a.pdf", "before your programme started"),
    ({"date": "20-11-2026"}, PDF, "a.pdf", "is not a date"),
    ({"title": "   "}, PDF, "a.pdf", "title must not be empty"),
    ({"description": "x" * 2001}, PDF, "a.pdf", "at most 2000"),
    ({}, HTML, "certificate.pdf", "PDF, PNG or JPEG"),  # HTML renamed .pdf
    ({}, HTML_BEFORE_PDF, "certificate.pdf", "PDF, PNG or JPEG"),  # a polyglot
    ({}, SVG, "certificate.png", "PDF, PNG or JPEG"),
    ({}, b"%PDF-1.4 but no end", "a.pdf", "PDF, PNG or JPEG"),
    ({}, b"", "empty.pdf", "empty"),
    ({}, png() + b"\0" * (5 * 1024 * 1024), "big.png", "at most 5 MB"),
]


@pytest.mark.parametrize("fields, file, name, said", REFUSALS,
                         ids=[r[3].split()[0] + str(i) for i, r in enumerate(REFUSALS)])
def test_every_refusal_is_400_with_its_sentence_and_nothing_stored(sqlite_portal, fields,
                                                                   file, name, said):
    ada = browser_of(sqlite_portal, "student")
    response = claim(ada, fields, file, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and said in page, page[:3000]
    assert 'role="alert"' in page and 'name="evidence"' in page  # the form again
    if fields.get("title", "x").strip():
        assert (fields.get("title") or GOOD["title"]) in page  # what was typed is kept
    assert stored(sqlite_portal) == (0, 0)


def test_refusals_store_nothing_on_either_engine_and_the_eleventh_claim_of_a_day(portal):
    ada = browser_of(portal, "student")
    for fields, file, name, said in (REFUSALS[0], REFUSALS[7], REFUSALS[2]):
        response = claim(ada, fields, file, name)
        assert response.status_code == 400 and said in response.get_data(as_text=True)
    assert stored(portal) == (0, 0)
    for number in range(10):
        assert claim(ada, {"title": f"Fair {number}"}, file=None).status_code == 303
    eleventh = claim(ada, {"title": "Fair 11"}, JPEG, "x.jpg")
    assert eleventh.status_code == 400
    assert "10 claims today" in eleventh.get_data(as_text=True)
    assert stored(portal) == (10, 0)
    portal.clock.advance(days=1)
    assert claim(ada, {"title": "Fair 11"}, JPEG, "x.jpg").status_code == 303


def test_a_claim_needs_the_token_and_the_portals_own_origin(sqlite_portal):
    ada = browser_of(sqlite_portal, "student")
    ada.get("/claims")
    data = {**GOOD, "evidence": (io.BytesIO(PDF), "a.pdf")}
    assert ada.post("/claims", data, token="forged").status_code == 403
    data = {**GOOD, "evidence": (io.BytesIO(PDF), "a.pdf")}
    assert ada.post("/claims", data, origin="https://evil.example").status_code == 403
    assert stored(sqlite_portal) == (0, 0)


def test_more_than_the_portal_takes_is_413(sqlite_portal):
    ada = browser_of(sqlite_portal, "student")
    response = claim(ada, file=b"%PDF-" + b"0" * (7 * 1024 * 1024), name="huge.pdf")
    assert response.status_code == 413
    assert stored(sqlite_portal) == (0, 0)


def test_evidence_goes_to_its_student_and_coordinators_only_as_an_attachment(portal):
    from .conftest import enrol

    enrol(portal)
    ada, bram = browser_of(portal, "student"), browser_of(portal, "other student")
    coordinator = browser_of(portal, "coordinator")
    assert claim(ada, file=PDF, name="../../etc/passwd.pdf").status_code == 303
    [made] = _claims(portal)
    for browser in (ada, coordinator):
        path = (f"/claims/{made}/evidence" if browser is ada
                else f"/admin/claims/{made}/evidence")
        response = browser.get(path)
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"] == 'attachment; filename=passwd.pdf'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    mine = bram.get(f"/claims/{made}/evidence")
    missing = bram.get("/claims/999999/evidence")
    assert mine.status_code == missing.status_code == 404
    assert mine.get_data() == missing.get_data()  # exactly as a missing one
    assert "passwd.pdf" not in bram.get("/claims").get_data(as_text=True)
    assert ada.get(f"/admin/claims/{made}/evidence").status_code == 403


def _claims(portal: Portal) -> list[int]:
    with portal.db.transaction(read_only=True) as session:
        return list(session.scalars(select(Claim.id).order_by(Claim.id)))


def test_the_queue_oldest_first_and_both_decisions(portal, tmp_path):
    from tracker.service.mail import Route

    from .conftest import enrol

    enrol(portal)
    portal.app.extensions["tracker"].extra["mail_route"] = Route(
        "tracker <tracker@example.org>", outbox=tmp_path / "outbox")
    (tmp_path / "outbox").mkdir()
    ada = browser_of(portal, "student")
    assert claim(ada, {"title": "First fair"}).status_code == 303
    portal.clock.advance(hours=2, minutes=5)
    assert claim(ada, {"title": "Second fair"}, file=None).status_code == 303
    portal.clock.advance(days=3)
    coordinator = browser_of(portal, "coordinator")
    page = coordinator.get("/admin/claims").get_data(as_text=True)
    assert "Claims waiting: 2" in page
    assert page.index("First fair") < page.index("Second fair")  # oldest first
    assert "waiting 3 days" in page and "Evidence: certificate.pdf" in page
    first, second = _claims(portal)

    approved = coordinator.post(f"/admin/claims/{first}/approve", {"note": "Welcome"})
    assert approved.status_code == 303
    assert f"Claim #{first} approved" in coordinator.get(
        approved.headers["Location"]).get_data(as_text=True)
    again = coordinator.post(f"/admin/claims/{first}/approve", {})
    assert "nothing changed" in coordinator.get(again.headers["Location"]).get_data(
        as_text=True)
    with portal.db.transaction(read_only=True) as session:
        [held] = session.scalars(select(Participation).where(
            Participation.student_id == ada_id(portal))
            .where(Participation.source == "claim")).all()
    assert held.status == "attended"

    no_reason = coordinator.post(f"/admin/claims/{second}/reject", {"reason": " "})
    assert no_reason.status_code == 400 and "needs a reason" in no_reason.get_data(as_text=True)
    rejected = coordinator.post(f"/admin/claims/{second}/reject",
                                {"reason": "A CV clinic is not a career event"})
    assert rejected.status_code == 303
    mine = ada.get("/claims").get_data(as_text=True)
    assert "Not approved" in mine and "A CV clinic is not a career event" in mine
    assert "Approved" in mine and "Welcome" in mine
    mails = sorted(path.name for path in (tmp_path / "outbox").iterdir())
    assert mails == [f"claim-{first}-approved.eml", f"claim-{second}-rejected.eml"]
    assert "A CV clinic is not a career event" in (
        tmp_path / "outbox" / f"claim-{second}-rejected.eml").read_text()
    assert "1 waiting" not in coordinator.get("/admin").get_data(as_text=True)


def test_two_approvals_at_once_record_one_attendance(portal):
    from tracker.service import claims
    from tracker.service.claims import ClaimForm
    from tracker.service.evidence import Upload

    made = claims.submit(portal.db, ada_id(portal), ClaimForm("career-event", "2026-11-20",
                                                              "Fair"),
                         Upload("a.pdf", PDF), portal.clock()).id
    outcomes: list[Any] = []
    barrier = threading.Barrier(2)

    def approve() -> None:
        barrier.wait()
        outcomes.append(claims.approve(portal.db, made, by="one of two"))

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.changed for o in outcomes) == [False, True]
    with portal.db.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Participation).where(
            Participation.source == "claim")) == 1


def test_the_queues_notice_says_only_what_a_decision_wrote(sqlite_portal):
    from .conftest import enrol

    enrol(sqlite_portal)
    coordinator = browser_of(sqlite_portal, "coordinator")
    page = coordinator.get("/admin/claims?done=approved-Everything%20is%20fine")
    assert "Everything" not in page.get_data(as_text=True)


def test_two_approvals_at_once_of_one_new_activity_schedule_it_once(portal):
    from tracker.service import claims
    from tracker.service.claims import ClaimForm

    with portal.db.transaction(read_only=True) as session:
        ids = list(session.scalars(select(Student.id).order_by(Student.id)))
    made = [claims.submit(portal.db, student, ClaimForm("career-event", "2026-11-20",
                                                        "Same new fair"),
                          None, portal.clock()).id for student in ids]
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def approve(claim_id: int) -> None:
        barrier.wait()
        try:
            claims.approve(portal.db, claim_id, by="one of two")
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=approve, args=(one,)) for one in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with portal.db.transaction(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Participation).where(
            Participation.source == "claim")) == 2
        assert len(set(session.scalars(select(Claim.activity_id)))) == 1


def test_a_decision_under_serve_outbox_is_saved_mailed_and_named_for_undo(sqlite_portal,
                                                                          tmp_path):
    """`serve --outbox` without TRACKER_MAIL_FROM: the sign-in mails' sender writes the
    decision's mail too (it said "the sender is not an e-mail address", 400, with the
    decision saved); the notice names the change that `tracker undo --change` takes back
    (a bare `tracker undo` undid the shell user's own last change)."""
    import re

    from conftest import Tracker

    from tracker.web.mail import OutboxPostbox

    from .conftest import enrol

    enrol(sqlite_portal)
    (tmp_path / "out").mkdir()  # as serve --outbox makes it
    sqlite_portal.app.extensions["tracker"].mail.postbox = OutboxPostbox(tmp_path / "out")
    ada = browser_of(sqlite_portal, "student")
    assert claim(ada, {"title": "First fair"}).status_code == 303
    [first] = _claims(sqlite_portal)
    coordinator = browser_of(sqlite_portal, "coordinator")
    approved = coordinator.post(f"/admin/claims/{first}/approve", {})
    assert approved.status_code == 303
    notice = coordinator.get(approved.headers["Location"]).get_data(as_text=True)
    [change] = re.findall(r"tracker undo --change (\d+)</code> takes it back", notice)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"claim-{first}-approved.eml"]
    Tracker(sqlite_portal.url)("undo", "--change", change)
    with sqlite_portal.db.transaction(read_only=True) as session:
        assert session.scalar(select(Claim.status).where(Claim.id == first)) == "pending"


def test_an_approval_names_the_student_and_the_activity_it_recorded(portal):
    """The queue's notice after "Approve" says whom it recorded at which activity on
    which day, as the database spells it (a sheet's match ignores capitals), and says so
    when it scheduled the activity or found the attendance recorded already."""
    import html
    import re

    from conftest import Tracker

    from .conftest import enrol

    enrol(portal)
    tracker = Tracker(portal.url)
    tracker("activity", "add", "career-event", "--date", "2026-11-21", "--title",
            "science career day")
    tracker("activity", "add", "career-event", "--date", "2026-11-22", "--title", "Fair")
    tracker("attend", "5", "s1234567")
    ada = browser_of(portal, "student")
    for title, day in (("KNPSV Profession Day", "2026-11-20"),
                       ("Science  Career Day", "2026-11-21"), ("fair", "2026-11-22")):
        assert claim(ada, {"title": title, "date": day}, file=None).status_code == 303
    new, found, recorded = _claims(portal)
    coordinator = browser_of(portal, "coordinator")

    def notice(made: int) -> str:
        approved = coordinator.post(f"/admin/claims/{made}/approve", {})
        assert approved.status_code == 303
        page = coordinator.get(approved.headers["Location"]).get_data(as_text=True)
        [said] = re.findall(r'<p class="notice" role="status" id="done">(.*?)</p>', page)
        return html.unescape(said)

    assert notice(new).startswith(f"Claim #{new} approved: recorded Ada Jansen (s1234567) "
                                  "at #6 KNPSV Profession Day on 20 Nov 2026, scheduled now "
                                  "(change #")
    assert notice(found).startswith(f"Claim #{found} approved: recorded Ada Jansen "
                                    "(s1234567) at #4 science career day on 21 Nov 2026 "
                                    "(change #")
    again = notice(recorded)
    assert again.startswith(f"Claim #{recorded} approved: Ada Jansen (s1234567) was "
                            "recorded at #5 Fair on 22 Nov 2026 already, so no attendance "
                            "changed (change #")
    [change] = re.findall(r"tracker undo --change (\d+)", again)
    forged = coordinator.get(f"/admin/claims?done=approved-{recorded}-99999-unchanged")
    assert "99999" not in forged.get_data(as_text=True)  # the change is the database's
    assert f"undo --change {change}" in forged.get_data(as_text=True)
    refused = coordinator.get(f"/admin/claims?done=rejected-{recorded}-{change}")
    assert f"Claim #{recorded} rejected" not in refused.get_data(as_text=True)
    tracker("undo", "--change", change)  # the notice's address again: no stale words
    page = coordinator.get(f"/admin/claims?done=approved-{recorded}-{change}-unchanged")
    assert f"Claim #{recorded} approved" not in page.get_data(as_text=True)
