"""The portal: coordinators, web sessions, sign-in requests, calendar feeds, and an
activity's revision (a calendar feed's SEQUENCE).

The history keeps rows as JSON snapshots, and undo compares a row with the snapshot it
left: activity snapshots taken before this revision gain ``"revision": 0``, so that an
edit made before the upgrade can still be undone after it (and lose it again on the way
down).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="0",
                                      nullable=False))
    _snapshots_with_revision(True)
    op.create_table(
        "coordinator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=False),
        sa.Column("last_otp_step", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator")),
        sa.UniqueConstraint("email", name=op.f("uq_coordinator_email")),
    )
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("seen_at", MOMENT, nullable=False),
        sa.CheckConstraint("(student_id IS NULL) <> (coordinator_id IS NULL)",
                           name=op.f("ck_web_session_one_person")),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinator.id"], ondelete="CASCADE",
                                name=op.f("fk_web_session_coordinator_id_coordinator")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], ondelete="CASCADE",
                                name=op.f("fk_web_session_student_id_student")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_web_session_key_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_student_id"), ["student_id"])
        batch_op.create_index(batch_op.f("ix_web_session_coordinator_id"), ["coordinator_id"])
    op.create_table(
        "signin_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=254), nullable=True),
        sa.Column("identity_key", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("claimed_at", MOMENT, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", MOMENT, nullable=True),
        sa.Column("sent_at", MOMENT, nullable=True),
        sa.Column("wrong_codes", sa.Integer(), nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("used_by_browser", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=200), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("coordinator_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'sending', 'sent', 'used', 'void', 'dropped')",
                           name=op.f("ck_signin_request_state")),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinator.id"], ondelete="CASCADE",
                                name=op.f("fk_signin_request_coordinator_id_coordinator")),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], ondelete="CASCADE",
                                name=op.f("fk_signin_request_student_id_student")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signin_request")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_signin_request_token_hash")),
    )
    with op.batch_alter_table("signin_request", schema=None) as batch_op:
        batch_op.create_index("ix_signin_request_identity_key_created",
                              ["identity_key", "created_at"])
        batch_op.create_index("ix_signin_request_client_created", ["client", "created_at"])
        batch_op.create_index("ix_signin_request_state", ["state"])
        batch_op.create_index("ix_signin_request_browser_hash", ["browser_hash"])
        batch_op.create_index(batch_op.f("ix_signin_request_student_id"), ["student_id"])
        batch_op.create_index(batch_op.f("ix_signin_request_coordinator_id"),
                              ["coordinator_id"])
    op.create_table(
        "calendar_feed",
        sa.Column("student_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["student.id"], ondelete="CASCADE",
                                name=op.f("fk_calendar_feed_student_id_student")),
        sa.PrimaryKeyConstraint("student_id", name=op.f("pk_calendar_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed")
    with op.batch_alter_table("signin_request", schema=None) as batch_op:
        for name in ("ix_signin_request_coordinator_id", "ix_signin_request_student_id",
                     "ix_signin_request_browser_hash", "ix_signin_request_state",
                     "ix_signin_request_client_created",
                     "ix_signin_request_identity_key_created"):
            batch_op.drop_index(name)
    op.drop_table("signin_request")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index("ix_web_session_coordinator_id")
        batch_op.drop_index("ix_web_session_student_id")
    op.drop_table("web_session")
    op.drop_table("coordinator")
    _snapshots_with_revision(False)
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_column("revision")


def _snapshots_with_revision(present: bool) -> None:
    """Give every activity snapshot in the history a revision (0), or take it away."""
    entries = sa.table("change_entry", sa.column("id", sa.Integer()),
                       sa.column("table_name", sa.String()),
                       sa.column("before", sa.JSON()), sa.column("after", sa.JSON()))
    bind = op.get_bind()
    rows = bind.execute(sa.select(entries.c.id, entries.c.before, entries.c.after)
                        .where(entries.c.table_name == "activity")).all()
    for id_, before, after in rows:
        changed = {}
        for name, values in (("before", before), ("after", after)):
            if not isinstance(values, dict):
                continue
            if present and "revision" not in values:
                changed[name] = _with_revision(values)
            elif not present and "revision" in values:
                changed[name] = {k: v for k, v in values.items() if k != "revision"}
        if changed:
            bind.execute(sa.update(entries).where(entries.c.id == id_).values(**changed))


def _with_revision(values: dict[str, object]) -> dict[str, object]:
    """``values`` with ``revision`` where the model has it (after ``month_number``), so
    that a snapshot reads as one the tracker takes now."""
    if "month_number" not in values:
        return {**values, "revision": 0}
    placed: dict[str, object] = {}
    for key, value in values.items():
        placed[key] = value
        if key == "month_number":
            placed["revision"] = 0
    return placed
