"""The portal's own state: coordinators, sessions, sign-in requests and calendar feeds.

Every piece of it is a row, so that two ``tracker serve`` processes (or hosts) on one
database behave as one. Secrets that travel (a session's cookie, a sign-in link, a
typed code, a calendar address) are kept only as SHA-256 hashes; the one secret the
server must read back, a coordinator's TOTP key, is kept as it is (see the README's
"Students on the web").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow
from tracker.db.models.student import Student

# A sign-in request's life: queued by POST /login; sending once a mail worker took it
# (its link and code made); sent; then used, or void (5 wrong codes), or dropped
# (nobody by that identity, a limit, no address: nothing was sent).
SIGN_IN_STATES = ("queued", "sending", "sent", "used", "void", "dropped")


class Coordinator(Base):
    __tablename__ = "coordinator"
    history_key = ("email",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str] = mapped_column(String(64))  # base32, as the app holds it
    # The newest TOTP time step accepted: a code is good once (RFC 6238 §5.2).
    last_otp_step: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random id, this row its hash."""

    __tablename__ = "web_session"
    __table_args__ = (
        CheckConstraint("(student_id IS NULL) <> (coordinator_id IS NULL)", name="one_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey(Student.id, ondelete="CASCADE"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordinator.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    seen_at: Mapped[datetime] = mapped_column()


class SignInRequest(Base):
    """One "send me a sign-in link": the queue the mail workers take from, the
    link and code it made, and what the limits count."""

    __tablename__ = "signin_request"
    __table_args__ = (
        CheckConstraint("state IN (" + ", ".join(f"'{s}'" for s in SIGN_IN_STATES) + ")",
                        name="state"),
        Index("ix_signin_request_identity_key_created", "identity_key", "created_at"),
        Index("ix_signin_request_client_created", "client", "created_at"),
        Index("ix_signin_request_state", "state"),
        Index("ix_signin_request_browser_hash", "browser_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was typed; cleared as soon as a worker has looked it up.
    identity: Mapped[str | None] = mapped_column(String(254))
    identity_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of it, normalised
    client: Mapped[str] = mapped_column(String(64))  # the address that asked
    browser_hash: Mapped[str] = mapped_column(String(64))  # of the asking browser's cookie
    state: Mapped[str] = mapped_column(String(16), default="queued")
    created_at: Mapped[datetime] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(default=0)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    wrong_codes: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None] = mapped_column()
    used_by_browser: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(200))  # why dropped, for the log
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey(Student.id, ondelete="CASCADE"), index=True)
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordinator.id", ondelete="CASCADE"), index=True)


class CalendarFeed(Base):
    """A student's personal calendar address (one at a time; a new one kills the old)."""

    __tablename__ = "calendar_feed"

    student_id: Mapped[int] = mapped_column(
        ForeignKey(Student.id, ondelete="CASCADE"), primary_key=True,
        autoincrement=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
