"""Sign-in by e-mail link (SPEC §9): asking, the mail workers' queue, and using the link
or the typed code.

Asking does the same work whoever is asked for, known or not: it checks the limits and
queues a row. A mail worker (any process's) takes the row, looks the identity up, makes
the link and the code, and sends; so the answer to ``POST /login`` says nothing about
who is on record, not even by its timing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import portal
from tracker.db.engine import Database
from tracker.db.models import Coordinator, SignInRequest, Student, WebSession
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook
from tracker.service.portal import TooManyRequests
from tracker.service.portal import sessions as sessions_
from tracker.service.portal.coordinators import otp_step
from tracker.service.portal.secrets import (
    code_digest,
    digest,
    new_code,
    new_token,
    same,
    typed_code,
)
from tracker.service.rules import LastInForce, current_rules, last_in_force

LINK_LIFETIME = timedelta(minutes=10)
LIMIT_WINDOW = timedelta(minutes=15)
MAILS_PER_IDENTITY = 3
MAILS_PER_CLIENT = 60  # a lecture hall behind one NAT address must still get in
WRONG_CODES_VOID = 5
CLAIM_LEASE = timedelta(minutes=2)  # a worker that took a request and stopped: retry then
DELIVERY_ATTEMPTS = 3
KEEP_REQUESTS = timedelta(days=1)
DOUBLE_CLICK = timedelta(seconds=30)


def ask(db: Database, identity: str | None, client: str, browser: str, now: datetime) -> None:
    """``POST /login``: queue a sign-in mail for ``identity`` (an e-mail address or a
    student number), whoever that is. Refused when malformed, or past a limit.

    A student number is read by the rules in force: by the version this process last
    found in force, and the locks' statement says whether that is still the newest (a
    round trip fewer). When it is not (another process loaded rules), or before this
    process read any, the rules are read first, as every command reads them."""
    raw = (identity or "").strip()
    if not raw:
        raise InvalidInput("type the e-mail address on your record, or your student number")
    if len(raw) > 254:
        raise InvalidInput("that is longer than any e-mail address or student number")
    try:
        _ask(db, raw, client[:64], browser, now, None if "@" in raw else last_in_force())
    except _RulesChanged:
        _ask(db, raw, client[:64], browser, now, None)


class _RulesChanged(Exception):
    """The version this process guessed is not the newest (or does not read the
    number): the request is asked again, by the rules read first."""


def _ask(db: Database, raw: str, client: str, browser: str, now: datetime,
         guess: LastInForce | None) -> None:
    """One try of :func:`ask`; ``guess``: the rules to read a student number by (None:
    read them first), checked against the newest in the locks' statement."""
    number = "@" not in raw
    if not number:
        normal = _email(raw)
    elif guess is None:  # the rules read first (as a command reads them), and trusted
        normal = _number(raw, current_rules(db).book)
    else:
        try:
            normal = fields.student_number(raw, guess.book)
        except InvalidInput:
            raise _RulesChanged from None  # judged by the rules in force, read first
    key = digest(normal)
    since = now - LIMIT_WINDOW
    with db.writing() as connection:
        newest = portal.serialise_asking(connection, [f"identity:{key}", f"client:{client}"],
                                         newest_rules=number)
        if guess is not None and newest != guess.version:
            raise _RulesChanged  # (rolled back: nothing was written)
        if portal.queue_within(connection, since, MAILS_PER_IDENTITY, MAILS_PER_CLIENT,
                               identity=normal, identity_key=key, client=client,
                               browser_hash=digest(browser), created_at=now):
            return
        for_identity, _ = portal.requests_since(connection, since, key, client)
    if for_identity >= MAILS_PER_IDENTITY:
        raise TooManyRequests(
            f"{MAILS_PER_IDENTITY} sign-in mails were asked for {raw} in the last "
            f"{_minutes(LIMIT_WINDOW)} minutes: use the newest of them, or try again later")
    raise TooManyRequests(
        f"{MAILS_PER_CLIENT} sign-in mails were asked for from your network in the last "
        f"{_minutes(LIMIT_WINDOW)} minutes: try again in a few minutes")


def _email(raw: str) -> str:
    email = fields.email(raw)
    assert email is not None
    return email.lower()


def _number(raw: str, book: RuleBook) -> str:
    try:
        return fields.student_number(raw, book)
    except InvalidInput:
        raise InvalidInput(f"{raw!r} is neither an e-mail address nor a student number "
                           f"({book.student_number_form})") from None


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


# --- the mail workers' side ----------------------------------------------------------------


@dataclass(frozen=True)
class SignInMail:
    """A sign-in mail to send: made by :func:`next_mail`, sent by the caller."""

    request_id: int
    claimed_at: datetime
    name: str
    address: str
    token: str  # the link's secret; the database holds only its hash
    code: str
    coordinator: bool
    expires_at: datetime


def next_mail(db: Database, now: datetime) -> SignInMail | None:
    """Take the oldest waiting request and make its mail; requests that need none
    (nobody by that identity, a limit) are settled on the way. None: nothing waits."""
    stale = now - CLAIM_LEASE
    while True:
        with db.transaction() as session:
            waiting = portal.waiting(session, stale, 10)
        if not waiting:
            return None
        for request_id in waiting:
            with db.transaction() as session:
                if not portal.claim(session, request_id, now, stale):
                    continue  # another worker has it
                mail = _prepare(session, request_id, now)
            if mail is not None:
                return mail


def _prepare(session: Session, request_id: int, now: datetime) -> SignInMail | None:
    request = session.get(SignInRequest, request_id)
    assert request is not None
    if request.created_at < now - LINK_LIFETIME:  # asked long ago (no server was running)
        return _drop(request, "asked more than 10 minutes ago")
    if request.attempts > DELIVERY_ATTEMPTS:
        return _drop(request, f"not delivered after {DELIVERY_ATTEMPTS} attempts")
    person: Coordinator | Student | None
    if request.coordinator_id is not None:  # taken before, by a worker that stopped
        person, problem = session.get(Coordinator, request.coordinator_id), None
    elif request.student_id is not None:
        person, problem = session.get(Student, request.student_id), None
    else:
        person, problem = _look_up(session, request.identity or "")
    if person is None:
        return _drop(request, problem or "nobody by that identity")
    coordinator = person if isinstance(person, Coordinator) else None
    if not person.email:
        return _drop(request, "no e-mail address on record")
    column = (SignInRequest.coordinator_id if coordinator is not None
              else SignInRequest.student_id)
    portal.serialise(session, [f"person:{column.key}:{person.id}"])
    if portal.mails_since(session, (column == person.id) & (SignInRequest.id != request.id),
                          now - LIMIT_WINDOW) >= MAILS_PER_IDENTITY:
        return _drop(request, f"{MAILS_PER_IDENTITY} mails to this person in "
                              f"{_minutes(LIMIT_WINDOW)} minutes already")
    token, code = new_token(), new_code()
    request.token_hash, request.code_hash = digest(token), code_digest(request.id, code)
    request.expires_at = now + LINK_LIFETIME
    request.identity = None  # what was typed is not kept once it has been looked up
    if coordinator is not None:
        request.coordinator_id = coordinator.id
    else:
        request.student_id = person.id
    assert request.claimed_at is not None
    return SignInMail(request.id, request.claimed_at, person.name, person.email, token, code,
                      coordinator is not None, request.expires_at)


def _look_up(session: Session, identity: str) \
        -> tuple[Coordinator | Student | None, str | None]:
    """Who an identity (as stored by :func:`ask`) names: a coordinator by e-mail, else a
    student by e-mail or number; or why nobody."""
    coordinator = session.scalars(select(Coordinator)
                                  .where(Coordinator.email == identity)).first()
    if coordinator is not None:
        return coordinator, None
    found = list(session.scalars(select(Student).where(
        Student.forgotten_at.is_(None),
        func.lower(Student.email) == identity if "@" in identity
        else Student.number == identity).limit(2)))
    if len(found) > 1:
        return None, "this address is on more than one student's record"
    return (found[0], None) if found else (None, "nobody by that identity")


def _drop(request: SignInRequest, why: str) -> SignInMail | None:
    """Settle a request that needs no mail; None: there is none to send."""
    request.state, request.outcome, request.identity = "dropped", why, None
    return None


def mail_sent(db: Database, mail: SignInMail, now: datetime) -> None:
    with db.transaction() as session:
        request = session.get(SignInRequest, mail.request_id)
        if request is not None and request.state == "sending" \
                and request.claimed_at == mail.claimed_at:
            request.state, request.sent_at = "sent", now


def mail_failed(db: Database, mail: SignInMail, why: str) -> None:
    """The mail did not leave: the request waits for the next try (its link dies)."""
    with db.transaction() as session:
        request = session.get(SignInRequest, mail.request_id)
        if request is not None and request.state == "sending" \
                and request.claimed_at == mail.claimed_at:
            request.state, request.outcome = "queued", why[:200]
            request.token_hash = request.code_hash = None


def issue_link(db: Database, identity: str, now: datetime) -> str:
    """A sign-in link made without a mail, for a coordinator's e-mail address or a
    student's number (``serve --demo`` prints it): its token."""
    token = new_token()
    with db.transaction() as session:
        person, problem = _look_up(session, identity.strip().lower())
        if person is None:
            raise NotFound(f"{identity}: {problem}")
        is_coordinator = isinstance(person, Coordinator)
        session.add(SignInRequest(
            identity=None, identity_key=digest(f"issued:{identity}"), client="issued",
            browser_hash=digest(new_token()), state="sent", created_at=now, claimed_at=now,
            sent_at=now, attempts=1, wrong_codes=0, token_hash=digest(token),
            expires_at=now + LINK_LIFETIME,
            coordinator_id=person.id if is_coordinator else None,
            student_id=None if is_coordinator else person.id))
    return token


def forget_old_requests(db: Database, now: datetime) -> int:
    with db.transaction() as session:
        return portal.forget_requests(session, now - KEEP_REQUESTS)


# --- using the link or the code -----------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    """What ``GET /login/<token>`` shows: whose link it is."""

    name: str
    coordinator: bool


def pending(db: Database, token: str, now: datetime) -> Pending:
    """The live sign-in a link names; NotFound for a wrong, used or expired one."""
    with db.transaction(read_only=True) as session:
        request = _live(session, token, now)
        return Pending(*_person(session, request))


Refusal = Literal["dead", "wrong-code", "wrong-otp", "void", "no-code-here"]


@dataclass(frozen=True)
class SignedIn:
    key: str  # the new session's cookie value
    role: sessions_.Role
    name: str
    replaced: str | None  # who this browser was signed in as before, if someone else


@dataclass(frozen=True)
class Outcome:
    signed_in: SignedIn | None = None
    refusal: Refusal | None = None
    tries_left: int = 0
    used_here: bool = False  # the link was used a moment ago by this very browser


def with_link(db: Database, token: str, otp: str | None, browser: str, now: datetime) \
        -> Outcome:
    """``POST /login/<token>``: sign this browser in; a coordinator also gives ``otp``."""
    with db.transaction() as session:
        request = portal.by_token(session, digest(token))
        if request is None:
            return Outcome(refusal="dead")
        if request.state not in portal.LIVE or request.expires_at is None \
                or request.expires_at <= now:
            return _dead(session, request.id, browser, now)
        return _complete(session, request, otp, browser, now)


def _dead(session: Session, request_id: int, browser: str, now: datetime) -> Outcome:
    """A link that no longer works; was it this browser that used it a moment ago (the
    second of two clicks)? Read as committed now, not as this transaction first saw it."""
    state, used_by, used_at = session.execute(
        select(SignInRequest.state, SignInRequest.used_by_browser, SignInRequest.used_at)
        .where(SignInRequest.id == request_id)).one()
    used_here = (state == "used" and used_by == digest(browser) and used_at is not None
                 and now - used_at < DOUBLE_CLICK)
    return Outcome(refusal="dead", used_here=used_here)


def with_code(db: Database, code: str | None, otp: str | None, browser: str,
              now: datetime) -> Outcome:
    """``POST /login/code``: the code from the mail, typed in the browser that asked."""
    typed = typed_code(code or "")
    if not typed:
        raise InvalidInput("type the code from the mail")
    with db.transaction() as session:
        candidates = portal.live_of_browser(session, digest(browser), now)
        if not candidates:
            return Outcome(refusal="no-code-here")
        for request in candidates:
            if request.code_hash is not None and same(request.code_hash,
                                                      code_digest(request.id, typed)):
                return _complete(session, request, otp, browser, now)
        portal.count_wrong_code(session, [r.id for r in candidates], WRONG_CODES_VOID)
        left = WRONG_CODES_VOID - 1 - max(r.wrong_codes for r in candidates)
        return Outcome(refusal="wrong-code" if left > 0 else "void", tries_left=max(left, 0))


def _complete(session: Session, request: SignInRequest, otp: str | None, browser: str,
              now: datetime) -> Outcome:
    if request.coordinator_id is not None:
        coordinator = session.get(Coordinator, request.coordinator_id)
        assert coordinator is not None
        step = otp_step(coordinator, otp or "", now)
        if step is None:
            portal.count_wrong_code(session, [request.id], WRONG_CODES_VOID)
            left = WRONG_CODES_VOID - 1 - request.wrong_codes
            return Outcome(refusal="wrong-otp" if left > 0 else "void",
                           tries_left=max(left, 0))
        coordinator.last_otp_step = step
    if not portal.use(session, request.id, now, digest(browser)):
        return _dead(session, request.id, browser, now)  # the other of two clicks came first
    before = portal.end_session(session, digest(browser))
    name, is_coordinator = _person(session, request)
    role: sessions_.Role = "coordinator" if is_coordinator else "student"
    person_id = request.coordinator_id if is_coordinator else request.student_id
    assert person_id is not None
    replaced = None
    if before is not None and (before.student_id, before.coordinator_id) != (
            request.student_id, request.coordinator_id):
        replaced = _name_of_session(session, before)
    key = sessions_.start(session, role, person_id, now)
    return Outcome(SignedIn(key, role, name, replaced))


def _live(session: Session, token: str, now: datetime) -> SignInRequest:
    request = portal.by_token(session, digest(token))
    if request is None or request.state not in portal.LIVE \
            or request.expires_at is None or request.expires_at <= now:
        raise NotFound("this sign-in link is not valid (any more)")
    return request


def _person(session: Session, request: SignInRequest) -> tuple[str, bool]:
    if request.coordinator_id is not None:
        coordinator = session.get(Coordinator, request.coordinator_id)
        assert coordinator is not None
        return coordinator.name, True
    student = session.get(Student, request.student_id)
    assert student is not None
    return student.name, False


def _name_of_session(session: Session, row: WebSession) -> str:
    if row.coordinator_id is not None:
        coordinator = session.get(Coordinator, row.coordinator_id)
        return coordinator.name if coordinator is not None else "someone else"
    student = session.get(Student, row.student_id)
    return student.name if student is not None else "someone else"
