"""Is the database at the schema this tracker expects? Without importing Alembic.

Every command but ``tracker db ...`` goes through :func:`ensure_ready`: one read of the
``alembic_version`` row, compared with :data:`REVISIONS` (a test keeps that list equal
to the shipped migrations, oldest first).
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from tracker.db.engine import READ_ONLY
from tracker.errors import DatabaseNotReady

REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010",
             "0011", "0012", "0013")
HEAD_REVISION = REVISIONS[-1]


def database_revision(engine: Engine) -> tuple[bool, str | None]:
    """(whether the database has a version table, the revision it holds)."""
    try:
        with engine.connect() as connection:
            connection.execution_options(**{READ_ONLY: True})
            revisions = connection.execute(
                text("SELECT version_num FROM alembic_version")
            ).scalars().all()
    except DBAPIError as error:
        failure = error
    else:
        if len(revisions) > 1:  # no tracker writes that: edited by hand, or merged copies
            raise DatabaseNotReady(
                f"the database's schema version is unclear: its alembic_version table "
                f"holds {len(revisions)} rows ({', '.join(sorted(revisions))}) where one "
                "belongs; `tracker db current` says more")
        return True, revisions[0] if revisions else None
    with engine.connect() as connection:
        # The read failed: either there is no version table, or the server is unreachable
        # (inspect raises again then, and the caller reports it), or the table is damaged.
        if inspect(connection).has_table("alembic_version"):
            reason = str(getattr(failure, "orig", failure)).strip().splitlines()[0]
            raise DatabaseNotReady(
                f"the database's schema version cannot be read (its alembic_version table "
                f"is damaged: {reason}); repair or restore the database") from None
    return False, None


def ensure_ready(engine: Engine) -> bool:
    """Create a brand-new database at head; refuse one at another revision.

    Returns True when the database was just created.
    """
    has_version_table, revision = database_revision(engine)
    if not has_version_table:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        if tables:
            raise DatabaseNotReady(
                f"the database holds tables ({', '.join(sorted(tables)[:3])}, ...) but no "
                "tracker schema version: is it a tracker database?"
            )
        from tracker.db.migrate import upgrade

        upgrade(engine, "head")
        return True
    if revision is not None and revision not in REVISIONS:
        raise DatabaseNotReady(
            f"the database schema is at revision {revision}, which this tracker does not "
            f"know (newest here: {HEAD_REVISION}): a newer tracker made it; install that "
            "version to use it")
    if revision != HEAD_REVISION:
        raise DatabaseNotReady(
            f"the database schema is at revision {revision or 'base (empty)'}, this tracker "
            f"needs {HEAD_REVISION}: run `tracker db upgrade` first"
        )
    return False
