"""Drop requirement_set: its rows were written on every rules load and never read; the
rules version's own content is what progress and reports evaluate. The history names a
participation by its student and activity ("12/34") instead of its row id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("requirement_set")
    _rename_participation_entries(lambda values: f"{values['student_id']}/"
                                                 f"{values['activity_id']}")


def _rename_participation_entries(key: Callable[[dict[str, Any]], str]) -> None:
    entry = sa.table("change_entry", sa.column("id", sa.Integer),
                     sa.column("table_name", sa.String), sa.column("row_id", sa.String),
                     sa.column("before", sa.JSON), sa.column("after", sa.JSON))
    connection = op.get_bind()
    rows = connection.execute(sa.select(entry.c.id, entry.c.before, entry.c.after)
                              .where(entry.c.table_name == "participation")).all()
    for entry_id, before, after in rows:
        values = after or before
        if values:  # an erased student's entries hold no values, and name nobody
            connection.execute(sa.update(entry).where(entry.c.id == entry_id)
                               .values(row_id=key(values)))


def _first_day(month: object) -> date | None:
    if not isinstance(month, str):
        return None
    year, number = month.split("-")
    return date(int(year), int(number), 1)


def downgrade() -> None:
    requirement_set = op.create_table(
        "requirement_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("started_from", sa.Date(), nullable=True),
        sa.Column("started_before", sa.Date(), nullable=True),
        sa.Column("requirement_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["rules_version.id"],
            name=op.f("fk_requirement_set_version_id_rules_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_set")),
        sa.UniqueConstraint("version_id", "code", name=op.f("uq_requirement_set_version_id_code")),
    )
    # Give the older schema what it held: the sets of every loaded version.
    versions = op.get_bind().execute(sa.text("SELECT id, content FROM rules_version"))
    rows = []
    for version_id, content in versions:
        for raw in tomllib.loads(content).get("set", []):
            rows.append({"version_id": version_id, "code": raw["id"],
                         "label": raw.get("label", raw["id"])[:300],
                         "started_from": _first_day(raw.get("started_from")),
                         "started_before": _first_day(raw.get("started_before")),
                         "requirement_count": len(raw.get("requirement", []))})
    if rows:
        op.bulk_insert(requirement_set, rows)
    # Entries made since (from 0006 on) name no row id: the row's id now, if it exists.
    ids = {(s, a): i for i, s, a in op.get_bind().execute(
        sa.text("SELECT id, student_id, activity_id FROM participation"))}
    _rename_participation_entries(lambda values: str(values.get("id") or ids.get(
        (values["student_id"], values["activity_id"]),
        f"{values['student_id']}/{values['activity_id']}")))
