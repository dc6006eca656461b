"""Coordinators of the portal: registered from the command line, each with a TOTP key
(RFC 6238) for the authenticator app on their phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyotp
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import portal
from tracker.db.engine import Database
from tracker.db.models import Coordinator, WebSession, utcnow
from tracker.errors import InvalidInput, NotFound

ISSUER = "tracker"
OTP_DIGITS = 6


@dataclass(frozen=True)
class Enrolment:
    """What `coordinator add` shows once: the key, for the authenticator app."""

    email: str
    name: str
    secret: str
    uri: str  # otpauth://totp/...


@dataclass(frozen=True)
class CoordinatorView:
    email: str
    name: str
    added: datetime
    sessions: int  # browsers signed in now


def enrolment(email: str, name: str, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return Enrolment(email, name, secret, uri)


def add_coordinator(db: Database, email: str, name: str, secret: str | None = None) \
        -> Enrolment:
    """Register a coordinator with a new TOTP key (``secret`` only for the demo)."""
    clean_email = (fields.email(email) or "").lower()
    if not clean_email:
        raise InvalidInput("give the coordinator's e-mail address")
    clean_name = fields.required_text("name", name)
    key = secret or pyotp.random_base32()
    with db.transaction() as session:
        if _by_email(session, clean_email) is not None:
            raise InvalidInput(f"{clean_email} is a coordinator already (`tracker coordinator "
                               "remove` and add again enrols a new phone)")
        session.add(Coordinator(email=clean_email, name=clean_name, totp_secret=key,
                                created_at=utcnow()))
    return enrolment(clean_email, clean_name, key)


def list_coordinators(db: Database) -> list[CoordinatorView]:
    signed_in = (select(WebSession.coordinator_id, func.count().label("n"))
                 .where(WebSession.coordinator_id.is_not(None))
                 .group_by(WebSession.coordinator_id).subquery())
    with db.transaction(read_only=True) as session:
        rows = session.execute(
            select(Coordinator.email, Coordinator.name, Coordinator.created_at,
                   func.coalesce(signed_in.c.n, 0))
            .outerjoin(signed_in, signed_in.c.coordinator_id == Coordinator.id)
            .order_by(Coordinator.email))
        return [CoordinatorView(email, name, added, int(n)) for email, name, added, n in rows]


def remove_coordinator(db: Database, email: str) -> int:
    """Remove a coordinator; their sessions end at once. Returns how many ended."""
    clean = email.strip().lower()
    with db.transaction() as session:
        found = _by_email(session, clean)
        if found is None:
            raise NotFound(f"no coordinator {clean}: `tracker coordinator list` shows them")
        ended = portal.end_sessions(session, WebSession.coordinator_id == found.id)
        session.delete(found)
        return ended


def _by_email(session: Session, email: str) -> Coordinator | None:
    return session.scalars(select(Coordinator).where(Coordinator.email == email)).first()


def otp_step(coordinator: Coordinator, otp: str, now: datetime) -> int | None:
    """The time step a one-time password belongs to (this one, the one before or the
    one after: a phone's clock is seldom exact), if it is right and newer than the last
    accepted; else None. A code is good once."""
    typed = "".join(otp.split())
    if len(typed) != OTP_DIGITS or not fields.digits(typed):
        return None
    totp = pyotp.TOTP(coordinator.totp_secret)
    step = totp.timecode(now)
    for candidate in (step - 1, step, step + 1):
        if pyotp.utils.strings_equal(typed, totp.generate_otp(candidate)):
            last = coordinator.last_otp_step
            return candidate if last is None or candidate > last else None
    return None
