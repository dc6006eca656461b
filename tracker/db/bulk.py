"""Set-based writes that are safe when two coordinators record the same row at once."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session


class MissingRowInserter:
    """Inserts rows of ``columns``, skipping any a unique constraint says exist already.

    Rows go to the driver's executemany as plain tuples, with the column types' bind
    processing applied only where a column has one: a sign-in sheet of a million rows
    costs little more than the driver itself.
    """

    def __init__(self, session: Session, table: Table, columns: Sequence[str],
                 conflict: Sequence[str]) -> None:
        connection = session.connection()
        dialect = connection.dialect
        if dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover
            raise NotImplementedError(f"no conflict-free insert for {dialect.name}")
        self.connection = connection
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                    f"VALUES ({', '.join(marker for _ in columns)}) "
                    f"ON CONFLICT ({', '.join(conflict)}) DO NOTHING")
        self.processors = {
            name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in columns
        }

    def value(self, column: str, value: Any) -> Any:
        """``value`` as the driver takes it for ``column``; for constants, do this once,
        not per row."""
        processor = self.processors[column]
        return processor(value) if processor is not None and value is not None else value

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> int:
        """Insert driver-ready ``rows``; returns how many were new."""
        if not rows:
            return 0
        cursor = self.connection.exec_driver_sql(self.sql, list(rows))
        return int(cursor.rowcount)


def rows_by_key(session: Session, table: Table, key: Sequence[str], columns: Sequence[str],
                keys: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """``columns`` of the rows of ``table`` whose ``key`` is one of ``keys``, by key, as
    plain tuples: one statement, which looks each key up in the key's index (a row-value
    ``IN`` list, the obvious alternative, makes SQLite scan the whole table for each)."""
    if not keys:
        return {}
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    wanted = ", ".join(f"k{at}" for at in range(len(key)))
    placeholders = ", ".join([f"({', '.join(marker for _ in key)})"] * len(keys))
    joined = " AND ".join(f"t.{name} = wanted.k{at}" for at, name in enumerate(key))
    selected = ", ".join(f"t.{name}" for name in (*key, *columns))
    sql = (f"WITH wanted ({wanted}) AS (VALUES {placeholders}) "
           f"SELECT {selected} FROM wanted JOIN {table.name} t ON {joined}")
    width = len(key)
    found = connection.exec_driver_sql(sql, tuple(chain.from_iterable(keys)))
    return {tuple(row[:width]): tuple(row[width:]) for row in found}
