"""Claims on the web: a student's /claims (their claims, the form), the coordinator's
queue at /admin/claims, and the evidence, sent as an attachment to its student and to
coordinators only (another student's claim is missing: 404)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Response, g, redirect, render_template, request

from tracker import fields
from tracker.errors import NotFound, TrackerError
from tracker.service import claims
from tracker.service.claims import ClaimForm, Decision
from tracker.service.evidence import MOST_BYTES, Upload
from tracker.service.portal.sessions import Visitor
from tracker.service.rules import current_rules
from tracker.web.here import portal, visitor

LOG = logging.getLogger("tracker.web.claims")
FIELDS = ("kind", "date", "title", "organiser", "description")


def _person() -> Visitor:
    person = visitor()
    assert person is not None  # the route's guard let only the right role in
    return person


def _kinds() -> list[tuple[str, str]]:
    book = current_rules(portal().db).book
    return sorted(((code, book.kinds[code]) for code in book.claimable),
                  key=lambda item: item[1].casefold())


def _page(problem: str | None = None, status: int = 200, typed: dict[str, str] | None = None,
          sent: claims.ClaimView | None = None) -> Any:
    here, person = portal(), _person()
    mine = list(reversed(claims.list_claims(here.db, student_id=person.person_id)))
    return render_template(
        "claims.html", claims=mine, kinds=_kinds(), problem=problem, typed=typed or {},
        sent=sent, today=here.today().isoformat(), most_mb=MOST_BYTES // 1024 // 1024,
        signed_in=True, here="claims"), status


def student_claims() -> Any:
    sent = request.args.get("sent", "")
    found = None
    if fields.digits(sent) and len(sent) < 10:
        found = next((c for c in claims.list_claims(portal().db,
                                                    student_id=_person().person_id)
                      if c.id == int(sent)), None)
    return _page(sent=found)


def submit_claim() -> Any:
    """The form's POST: refused with the page again, its sentence on top and what was
    typed kept, status 400; accepted: back to the list (a reload sends nothing twice)."""
    here, person = portal(), _person()
    typed = {name: request.form.get(name, "") for name in FIELDS}
    file = request.files.get("evidence")
    upload = None
    if file is not None and (file.filename or "").strip():
        upload = Upload(file.filename or "", file.stream.read(MOST_BYTES + 1))
    try:
        made = claims.submit(here.db, person.person_id, ClaimForm(**typed), upload,
                             here.now())
    except TrackerError as problem:
        return _page(str(problem), 400, typed)
    return redirect(f"/claims?sent={made.id}", 303)


def _evidence(claim_id: int, student_id: int | None) -> Response:
    found = claims.evidence_of(portal().db, claim_id, student_id=student_id)
    response = Response(found.content, mimetype=found.type)
    response.headers.set("Content-Disposition", "attachment", filename=found.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    g.sandboxed = True  # opened all the same, it runs nothing (see security.secure_headers)
    return response


def student_evidence(claim_id: int) -> Response:
    return _evidence(claim_id, _person().person_id)


def coordinator_evidence(claim_id: int) -> Response:
    return _evidence(claim_id, None)


def waited(since: datetime, now: datetime) -> str:
    """How long a claim has waited, in the largest unit that fits: ``3 days``."""
    seconds = max(0, int((now - since).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


def size(count: int) -> str:
    """``840 bytes``, ``12 kB``, ``1.4 MB``."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{count // 1024} kB"
    return f"{count / 1024 / 1024:.1f} MB"


def queue(problem: str | None = None, status: int = 200) -> Any:
    here = portal()
    every = claims.list_claims(here.db)
    pending = [c for c in every if c.status == "pending"]
    decided = sorted((c for c in every if c.status != "pending"),
                     key=lambda c: c.decided_at or c.submitted_at, reverse=True)[:20]
    return render_template(
        "admin_claims.html", pending=pending, decided=decided, problem=problem,
        notice=_notice(request.args.get("done", ""), every), now=here.now(),
        waited=waited, waiting=len(pending), size=size,
        signed_in=True, here="claims"), status


DONE = re.compile(r"(?P<word>approved|rejected)-(?P<claim>[0-9]{1,10})-(?P<change>[0-9]{1,10})"
                  r"(?:-(?P<recorded>added|updated|unchanged)(?P<new>-new)?)?"
                  r"|already-(?P<already>[0-9]{1,10})")
"""The queue's notice in the address, only as a decision writes it (:func:`_said`): ids
and words of a closed set, nothing personal."""


@dataclass(frozen=True)
class Notice:
    said: str  # a sentence without its full stop
    change: str | None = None  # the change that `tracker undo --change` takes back


def _notice(done: str, every: list[claims.ClaimView]) -> Notice | None:
    """What the decision just made did, in words: an approval names the student and the
    activity it recorded them at, as the database has them now."""
    found = DONE.fullmatch(done)
    if found is None:
        return None
    if found["already"]:
        return Notice(f"Claim #{found['already']} was decided so already: nothing changed")
    number = found["claim"]
    claim = next((c for c in every if c.id == int(number)), None)
    if claim is None or claim.status != found["word"]:
        return None  # (undone since; or a link that says what was not done)
    # The change to undo is the database's: a link could name any.
    decided, at = claims.as_decided(portal().db, claim.id)
    change = str(decided) if decided is not None else None
    plain = Notice(f"Claim #{number} {found['word']}", change)
    if found["word"] != "approved" or at is None:
        return plain
    who = f"{claim.name} ({claim.student})"
    where = f"#{at.id} {at.title} on {at.held_on:%d %b %Y}"
    if found["new"]:
        where += ", scheduled now"
    if found["recorded"] == "unchanged":
        said = f"{who} was recorded at {where} already, so no attendance changed"
    elif found["recorded"] == "updated":
        said = f"recorded {who} at {where} as attended (was excused)"
    else:
        said = f"recorded {who} at {where}"
    return Notice(f"Claim #{number} approved: {said}", change)


def approve_claim(claim_id: int) -> Any:
    return _decided(lambda: claims.approve(portal().db, claim_id,
                                           note=request.form.get("note"), by=_person().name))


def reject_claim(claim_id: int) -> Any:
    return _decided(lambda: claims.reject(portal().db, claim_id,
                                          reason=request.form.get("reason"),
                                          by=_person().name))


def _decided(decide: Callable[[], Decision]) -> Any:
    """A decision's POST: back to the queue, with what was done (refused: the queue
    again with the sentence, 400; a claim that is not there: 404)."""
    try:
        decision = decide()
    except NotFound:
        raise
    except TrackerError as problem:
        return queue(str(problem), 400)
    return redirect(f"/admin/claims?done={_said(decision)}", 303)


def _said(decision: Decision) -> str:
    """What was done, for the queue's notice (a word and the id: nothing personal in a
    URL)."""
    if decision.changed:
        _tell(decision)
        said = f"{decision.claim.status}-{decision.claim.id}-{decision.change}"
        if decision.recorded is not None:  # an approval: what it did to the attendance
            said += f"-{decision.recorded}" + ("-new" if decision.new_activity else "")
        return said
    return f"already-{decision.claim.id}"


def _tell(decision: Decision) -> None:
    """The student is told by mail when mail is set up (by the one mail path)."""
    from tracker.pages.claims import decision_letter
    from tracker.service.mail import NotSent, post_one

    # The decision is saved whatever the mail does: a mail that cannot leave is logged,
    # never turned into a page that says the decision failed.
    try:
        route = mail_route()
        letter = decision_letter(decision, portal().site.link("/claims"))
        if route is None or letter is None:
            return
        post_one(route, letter)
    except (NotSent, TrackerError) as why:
        LOG.warning("claim %s: the student could not be told: %s", decision.claim.id, why)


def mail_route() -> Any:
    """How a decision's mail leaves: as the portal's sign-in mail does (SMTP, or the
    outbox of ``serve --outbox``); None when mail is not set up."""
    from tracker.mail.mime import checked_sender
    from tracker.service.mail import Route
    from tracker.web.mail import OutboxPostbox, SmtpPostbox

    here = portal()
    if "mail_route" in here.extra:
        return here.extra["mail_route"]
    box = here.mail.postbox
    if isinstance(box, SmtpPostbox):
        return Route(checked_sender(box.sender), smtp=box.settings)
    if isinstance(box, OutboxPostbox):  # nothing leaves: the sign-in mails' sender will do
        return Route(box.sender, outbox=box.folder)
    return None
