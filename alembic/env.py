"""Alembic environment. The tracker runs migrations in code (tracker.db.migrate) and
passes its own connection; the ``alembic`` command line works too, with ``-x url=...``
or ``TRACKER_DATABASE_URL``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tracker.db.models import all_models

target_metadata = all_models().metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # ALTER on SQLite goes through table copies
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from tracker.db.engine import open_engine, resolve_url

    url = context.get_x_argument(as_dictionary=True).get("url")
    engine = open_engine(resolve_url(url))
    with engine.begin() as connection:
        _run(connection)


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
