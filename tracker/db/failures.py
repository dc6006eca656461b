"""What a database failure means for the person who ran the command.

The driver's errors differ by engine (SQLite's result codes, PostgreSQL's SQLSTATEs);
the user needs to know one thing first: is it worth trying again? A lock held too
long by a colleague, a deadlock or a serialization failure is *busy*: the same command
in a moment will do (exit code 1). A full disk, a read-only or damaged file is said in
words (exit code 2), as is anything else, with the driver's first line.
"""

from __future__ import annotations

from dataclasses import dataclass

BUSY = "the database is busy: try again"

# SQLite's primary result codes (https://sqlite.org/rescode.html)
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 11, 13, 26

# PostgreSQL's SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_BUSY = {"40001",  # serialization_failure
            "40P01",  # deadlock_detected
            "55P03",  # lock_not_available (lock_timeout)
            "55006"}  # object_in_use
_PG_FULL = {"53100"}  # disk_full
_PG_READ_ONLY = {"25006"}  # read_only_sql_transaction (a standby)


@dataclass(frozen=True)
class Failure:
    message: str
    transient: bool  # the same command again, a moment later, may well succeed


def classify(error: BaseException, where: str = "") -> Failure:
    """``error`` (SQLAlchemy's, or the driver's own) in words; ``where`` (" (the URL)")
    goes into a message that gives the driver's own words."""
    driver = getattr(error, "orig", None) or error
    code = getattr(driver, "sqlite_errorcode", None)
    state = getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return Failure(BUSY, transient=True)
        if primary == _SQLITE_FULL:
            return Failure("the disk is full: nothing was written", transient=False)
        if primary == _SQLITE_READONLY:
            return Failure("the database can only be read here: this command would change "
                           "it", transient=False)
        if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return Failure(f"the database file is damaged ({first_line(driver)}): "
                           "`tracker db check` says more; restore it from a backup",
                           transient=False)
    if state in _PG_BUSY:
        return Failure(BUSY, transient=True)
    if state in _PG_FULL:
        return Failure("the database server's disk is full: nothing was written",
                       transient=False)
    if state in _PG_READ_ONLY:
        return Failure("the database server only reads (a standby?): this command would "
                       "change it", transient=False)
    return Failure(f"database error{where}: {first_line(driver)}", transient=False)


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is a lock, deadlock or serialization failure: worth a retry."""
    return classify(error).transient


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
