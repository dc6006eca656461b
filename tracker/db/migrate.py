"""Run the migrations that ship with the tracker. Only the ``db`` commands import this.

The installed wheel carries the top-level ``alembic/`` folder as ``tracker/migrations``;
in a source checkout (an editable install) it is ``<repo>/alembic``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from tracker.errors import InvalidInput


def migrations_folder() -> Path:
    installed = Path(str(resources.files("tracker"))) / "migrations"
    if (installed / "env.py").is_file():
        return installed
    checkout = Path(__file__).resolve().parents[2] / "alembic"
    if (checkout / "env.py").is_file():
        return checkout
    raise RuntimeError("the tracker's migrations are missing from this installation")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_folder()))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def _bound(engine: Engine) -> Iterator[Config]:
    """An Alembic config whose env.py runs on one connection, in one transaction.

    On SQLite, batch mode rebuilds a table by copying it, which foreign keys would
    refuse mid-way: they are off while migrating (a pragma that only works outside a
    transaction) and checked before the transaction commits.
    """
    config = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                yield config
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _bound(engine) as config:
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    known = [r.revision for r in script.walk_revisions()]
    if revision != "base" and not re.fullmatch(r"-[1-9][0-9]*", revision):
        try:
            script.get_revision(revision)
        except Exception:
            raise InvalidInput(f"unknown revision {revision!r} (known: base, "
                               + ", ".join(known) + ", or -N for N steps back)") from None
    try:
        with _bound(engine) as config:
            command.downgrade(config, revision)
    except CommandError as error:
        raise InvalidInput(f"cannot downgrade to {revision!r}: {error}") from None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def model_differences(engine: Engine) -> list[str]:
    """How the database's tables differ from the models (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    from tracker.db.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return [str(diff) for diff in compare_metadata(context, Base.metadata)]
