"""Run the migrations that ship with the tracker. Only the ``db`` commands import this.

The installed wheel carries the top-level ``alembic/`` folder as ``tracker/migrations``;
in a source checkout (an editable install) it is ``<repo>/alembic``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine

from tracker.db.engine import READ_ONLY
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


def _history() -> list[tuple[str, str]]:
    """Every revision, oldest first: (its id, what it does, up to its first stop)."""
    script = ScriptDirectory.from_config(alembic_config())
    return [(r.revision, re.split(r"[:.](?:\s|$)", " ".join((r.doc or "").split()))[0])
            for r in reversed(list(script.walk_revisions()))]


def _target(revision: str, here: int, ids: list[str], *, up: bool) -> int:
    """Where ``revision`` points, as a position in ``ids`` (-1: base, before the first):
    an id (or the start of one), ``head``, ``base``, or ``+N``/``-N`` steps from ``here``."""
    steps = re.fullmatch(r"([+-])([1-9][0-9]{0,3})", revision)
    if steps and (steps[1] == "+") == up:
        return here + int(steps[2]) * (1 if up else -1)
    if revision == "head":
        return len(ids) - 1
    if revision == "base":
        return -1
    matches = [i for i, known in enumerate(ids) if known.startswith(revision)] \
        if revision else []
    if len(matches) != 1:
        raise InvalidInput(f"unknown revision {revision!r} (known: base, {', '.join(ids)}, "
                           "head, or " + ("+N for N steps up)" if up
                                          else "-N for N steps back)"))
    return matches[0]


def _where(engine: Engine, ids: list[str]) -> tuple[str | None, int]:
    """The database's revision and its position in ``ids`` (-1: none yet)."""
    current = current_revision(engine)
    if current is not None and current not in ids:
        raise InvalidInput(f"the database schema is at revision {current}, which this "
                           f"tracker does not know (newest here: {ids[-1]}): a newer "
                           "tracker made it; install that version to move it")
    return current, ids.index(current) if current is not None else -1


def upgrade(engine: Engine, revision: str = "head") -> None:
    ids = [known for known, _ in _history()]
    current, here = _where(engine, ids)
    target = _target(revision, here, ids, up=True)
    if target < here or target >= len(ids):
        raise InvalidInput(f"cannot upgrade to {revision!r}: the database is at "
                           f"{current or 'base'}, newest is {ids[-1]}"
                           + ("; `tracker db downgrade` goes back" if target < here else ""))
    if target == here:
        return
    try:
        with _bound(engine) as config:
            command.upgrade(config, ids[target])
    except CommandError as error:  # pragma: no cover - every target is checked above
        raise InvalidInput(f"cannot upgrade to {revision!r}: {error}") from None


# The revision that made the table of erased numbers: going back past it would forget
# who asked to be forgotten, and an old class list would register them again.
ERASURES_SINCE = "0005"


@dataclass(frozen=True)
class Downgrade:
    target: str  # a revision, or "base"
    undone: tuple[tuple[str, str], ...]  # (revision, what it does), newest first


def downgrade_plan(engine: Engine, revision: str) -> Downgrade:
    """What a downgrade to ``revision`` undoes; refused when it would drop the records of
    erased students."""
    history = _history()
    ids = [known for known, _ in history]
    current, here = _where(engine, ids)
    target = _target(revision, here, ids, up=False)
    if target > here or target < -1:
        raise InvalidInput(f"cannot downgrade to {revision!r}: the database is at "
                           f"{current or 'base'}")
    plan = Downgrade(ids[target] if target >= 0 else "base",
                     tuple(history[target + 1:here + 1][::-1]))
    if ERASURES_SINCE in {known for known, _ in plan.undone}:
        erased = _erased_count(engine)
        if erased:
            raise InvalidInput(
                f"cannot downgrade to {plan.target}: the database remembers {erased} "
                f"erased student(s), and revision {ERASURES_SINCE} made that record; "
                "without it an old class list would register them again. Stay at "
                f"revision {ERASURES_SINCE} or later (to remove the whole database, "
                "delete it)")
    return plan


def downgrade(engine: Engine, plan: Downgrade) -> None:
    """Undo the revisions of ``plan`` (see :func:`downgrade_plan`), in one transaction."""
    if not plan.undone:
        return
    try:
        with _bound(engine) as config:
            command.downgrade(config, plan.target)
    except CommandError as error:  # pragma: no cover - the plan checked the target
        raise InvalidInput(f"cannot downgrade to {plan.target!r}: {error}") from None


def _erased_count(engine: Engine) -> int:
    from sqlalchemy import func, inspect, select

    from tracker.db.models import ErasedNumber

    with _reading(engine) as connection:
        if not inspect(connection).has_table(ErasedNumber.__tablename__):
            return 0
        return int(connection.execute(select(func.count()).select_from(ErasedNumber))
                   .scalar_one())


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection that only reads: on SQLite it takes no write lock, and it works on a
    database that can only be read."""
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True})


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None: none yet); refused when its version table holds
    more than one (no tracker writes that: it was edited, or two copies were merged)."""
    with _reading(engine) as connection:
        heads = MigrationContext.configure(connection).get_current_heads()
    if len(heads) > 1:
        raise InvalidInput(
            f"the database's schema version is unclear: its alembic_version table holds "
            f"{len(heads)} rows ({', '.join(sorted(heads))}) where one belongs; keep the "
            "row of the schema the tables are at, or restore the database from a backup")
    return heads[0] if heads else None


def model_differences(engine: Engine) -> list[str]:
    """How the database's tables differ from the models (empty when they agree)."""
    from alembic.autogenerate import compare_metadata

    from tracker.db.models import all_models

    with _reading(engine) as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return [str(diff) for diff in compare_metadata(context, all_models().metadata)]
