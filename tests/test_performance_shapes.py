"""What makes the tracker fast, held in place by tests that fail when it goes: the
participations in one B-tree keyed by (student, activity), the attendance tallies the
report reads (and which every kind of write keeps equal to the participations), imports
that cost a few statements per batch rather than per line, foreign keys checked again
after a bulk import, and an outbox written in parallel that equals one written in
sequence. The timings themselves are in bench/, never in a test."""

from __future__ import annotations

import re
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from tracker.db.models import Activity, AttendanceTally, Participation, Student
from tracker.db.progress import programme_year
from tracker.vocabulary import ParticipationStatus


def open_database(url: str):
    from tracker.cli.context import AppContext

    return AppContext(url)


class Statements:
    """The SQL a database runs while the block runs."""

    def __init__(self, engine) -> None:
        self.engine, self.sql = engine, []

    def _heard(self, _conn, _cursor, statement, *_rest) -> None:
        self.sql.append(statement)

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._heard)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._heard)


# --- the shape of the participation table ---------------------------------------------

def test_participations_are_one_btree_keyed_by_student_and_activity(sqlite_tracker,
                                                                     sqlite_url):
    sqlite_tracker("db", "upgrade")
    context = open_database(sqlite_url)
    try:
        with context.database().engine.connect() as connection:
            table_sql = connection.scalar(text(
                "SELECT sql FROM sqlite_master WHERE name = 'participation'"))
            indexes = connection.scalars(text(
                "SELECT name FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'participation'")).all()
            plan = " ".join(str(row[-1]) for row in connection.execute(text(
                "EXPLAIN QUERY PLAN SELECT status FROM participation "
                "WHERE student_id = 1 AND activity_id = 2")))
            by_student = " ".join(str(row[-1]) for row in connection.execute(text(
                "EXPLAIN QUERY PLAN SELECT activity_id FROM participation "
                "WHERE student_id = 1")))
    finally:
        context.close()
    assert "WITHOUT ROWID" in table_sql
    assert re.search(r"PRIMARY KEY \(student_id, activity_id\)", table_sql)
    # A second index would double the work of every line a sign-in sheet adds.
    assert indexes == []
    assert "PRIMARY KEY" in plan and "SCAN" not in plan
    assert "SCAN" not in by_student  # a student's participations: a range of the key


# --- the tallies ------------------------------------------------------------------------

def live_counts(session) -> set[tuple[int, str, int, int]]:
    """The tallies as they would be counted from the participations now."""
    year = programme_year()
    query = (select(Participation.student_id, Activity.kind, year, func.count())
             .join(Activity, Activity.id == Participation.activity_id)
             .join(Student, Student.id == Participation.student_id)
             .where(Participation.status == ParticipationStatus.ATTENDED)
             .group_by(Participation.student_id, Activity.kind, year))
    return {tuple(row) for row in session.execute(query)}  # type: ignore[misc]


def tallies(session) -> set[tuple[int, str, int, int]]:
    return {tuple(row) for row in session.execute(select(  # type: ignore[misc]
        AttendanceTally.student_id, AttendanceTally.kind, AttendanceTally.programme_year,
        AttendanceTally.attended))}


def assert_tallies_true(url: str, after: str) -> None:
    context = open_database(url)
    try:
        with context.database().transaction(read_only=True) as session:
            expected, kept = live_counts(session), tallies(session)
    finally:
        context.close()
    assert kept == expected, f"tallies differ from the participations after {after}"


def test_every_kind_of_write_keeps_the_tallies_equal_to_the_participations(
        tracker, db_url, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s200000{i},Student {i},,{('2024-09', '2025-02')[i % 2]}\n" for i in range(1, 7)))
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2024-10-01,Peers 1\n"
                        "career-event,2025-03-05,Career event\n"
                        "colloquium,2025-10-01,Peers 2\n"
                        "lacdr-seminar,2024-08-15,Before anyone started\n")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\n"
                     "s2000001,1,attended\ns2000002,1,attended\ns2000003,2,excused\n"
                     "s2000004,3,attended\ns2000005,4,attended\ns2000006,2,attended\n")
    steps: list[tuple[str, ...]] = [
        ("student", "import", str(roster)),
        ("activity", "import", str(schedule)),
        ("attend", "--import", str(sheet)),
        ("attend", "2", "s2000001", "s2000002"),
        ("attend", "3", "s2000001", "--excused"),
        ("attend", "1", "s2000002", "--remove"),
        ("undo",),
        ("activity", "edit", "1", "--kind", "career-event"),
        ("activity", "edit", "2", "--date", "2025-10-03"),
        ("student", "edit", "s2000001", "--start", "2023-09"),
        ("undo",),
        ("activity", "delete", "4", "--yes"),
        ("undo",),
        ("student", "forget", "s2000006", "--yes"),
    ]
    for step in steps:
        tracker(*step, expect=None)
        assert_tallies_true(db_url, " ".join(step))
    tracker("checkin", "3", "--any-day", input="s2000003\ns2000005\n")
    assert_tallies_true(db_url, "a check-in")
    tracker("undo")
    assert_tallies_true(db_url, "undoing a check-in")
    context = open_database(db_url)
    try:
        with context.database().transaction(read_only=True) as session:
            assert len(tallies(session)) >= 4  # the steps above left counts to compare
    finally:
        context.close()


def test_the_report_reads_the_tallies_not_every_participation(tracker, db_url, tmp_path):
    tracker("student", "add", "s2000001", "--name", "Ada", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-01", "--title", "Peers")
    tracker("attend", "1", "s2000001")
    context = open_database(db_url)
    try:
        with Statements(context.database().engine) as today:
            from click.testing import CliRunner

            from tracker.cli import main

            result = CliRunner().invoke(main, ["report", "--format", "csv"], obj=context)
            assert result.exit_code == 0, result.output
    finally:
        context.close()
    reads = " ".join(today.sql)
    assert "attendance_tally" in reads
    # Participations are read only for what is still to come (taken places), never
    # joined to every activity to be counted again.
    counted_again = [s for s in today.sql
                     if "FROM participation" in s and "count(" in s.lower()]
    assert counted_again == []
    assert "s2000001" in result.output


def test_a_report_as_of_an_earlier_day_counts_from_the_participations(tracker):
    tracker("student", "add", "s2000001", "--name", "Ada", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-01", "--title", "One")
    tracker("activity", "add", "colloquium", "--date", "2024-11-01", "--title", "Two")
    tracker("attend", "1", "s2000001")
    tracker("attend", "2", "s2000001")
    earlier = tracker.json("report", "--as-of", "2024-10-15")
    assert earlier[0]["colloquia"] == 1  # what had been held by then
    assert tracker.json("report")[0]["colloquia"] == 2


# --- imports ----------------------------------------------------------------------------

def statements_to_import(url: str, folder: Path, lines: int) -> tuple[int, int]:
    """The statements of a class list's import and of a sign-in sheet's, ``lines`` long."""
    from click.testing import CliRunner

    from tracker.cli import main

    context = open_database(url)
    runner = CliRunner()
    roster = folder / f"roster-{lines}.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{3000000 + i},Student {i},,2024-09\n" for i in range(lines)))
    schedule = folder / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2024-10-01,Peers\n"
                        "career-event,2024-10-02,Careers\n")
    sheet = folder / f"sheet-{lines}.csv"
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s{3000000 + i},{1 + i % 2}\n" for i in range(lines)))
    try:
        with Statements(context.database().engine) as registering:
            result = runner.invoke(main, ["student", "import", str(roster)], obj=context)
            assert result.exit_code == 0, result.output
        assert runner.invoke(main, ["activity", "import", str(schedule)],
                             obj=context).exit_code == 0
        with Statements(context.database().engine) as importing:
            result = runner.invoke(main, ["attend", "--import", str(sheet)], obj=context)
            assert result.exit_code == 0, result.output
        again = runner.invoke(main, ["attend", "--import", str(sheet)], obj=context)
        assert "already" in again.output or "nothing" in again.output.lower()
    finally:
        context.close()
    return len(registering.sql), len(importing.sql)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_an_import_costs_statements_per_batch_not_per_line(engine, tmp_path, new_database):
    few = statements_to_import(new_database(engine), tmp_path, 20)
    many = statements_to_import(new_database(engine), tmp_path, 2000)
    for kind, (small, large) in zip(("students", "attendance"), zip(few, many, strict=True),
                                    strict=True):
        # 2,000 lines: a few more batches, no more
        assert large <= small + 30, (kind, small, large)


def test_foreign_keys_are_checked_again_after_a_bulk_import(sqlite_tracker, sqlite_url,
                                                             tmp_path):
    sqlite_tracker("db", "upgrade")
    context = open_database(sqlite_url)
    database = context.database()
    try:
        with database.transaction(bulk=True) as session:
            assert session.scalar(text("PRAGMA foreign_keys")) == 0
        with database.transaction() as session:
            assert session.scalar(text("PRAGMA foreign_keys")) == 1
        from sqlalchemy.exc import IntegrityError

        with pytest.raises(IntegrityError), database.transaction() as session:
            session.execute(text("INSERT INTO participation (student_id, activity_id, "
                                 "status) VALUES (999, 999, 'attended')"))
    finally:
        context.close()


# --- the outbox -------------------------------------------------------------------------

def outbox_of(tracker, folder: Path, monkeypatch, in_parallel_from: int) -> dict[str, str]:
    from tracker.service import mail

    monkeypatch.setattr(mail, "IN_PARALLEL_FROM", in_parallel_from)
    folder.mkdir()
    tracker("remind", "--as-of", "2025-01-15", "--outbox", str(folder),
            "--from", "Coordinator <aasco@example.org>")
    messages = {}
    ids = set()
    for path in folder.iterdir():
        raw = path.read_bytes()
        message = message_from_bytes(raw, policy=default)
        ids.add(message["Message-ID"])
        unique = re.sub(rb"(?m)^(Date|Message-ID): .*\n", b"", raw)
        messages[path.name] = re.sub(rb"=_tracker_[0-9a-f]+", b"=_boundary", unique).decode()
    assert len(ids) == len(messages)  # every message its own id, in any process
    return messages


def nine_students_for_a_parallel_outbox(sqlite_tracker, tmp_path) -> None:
    """Nine students with addresses; skipped where the outbox cannot be parallel."""
    from tracker import forked

    if not (forked.can_fork() and forked.cores() > 1):
        pytest.skip("this machine has one core or cannot fork: the outbox is sequential")
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{2000000 + i},Student {i},student{i}@example.org,2024-09\n" for i in range(9)))
    sqlite_tracker("student", "import", str(roster))


def test_an_outbox_written_in_parallel_equals_one_written_in_sequence(
        sqlite_tracker, tmp_path, monkeypatch):

    nine_students_for_a_parallel_outbox(sqlite_tracker, tmp_path)
    sqlite_tracker("activity", "add", "colloquium", "--date", "2024-10-01", "--title", "P")
    sqlite_tracker("attend", "1", "s2000001", "s2000004")
    in_sequence = outbox_of(sqlite_tracker, tmp_path / "one", monkeypatch, 1_000_000)
    in_parallel = outbox_of(sqlite_tracker, tmp_path / "many", monkeypatch, 2)
    assert len(in_sequence) == 9
    assert in_parallel == in_sequence


def test_an_outbox_in_parallel_is_one_round_of_processes_that_send_back_a_few_words(
        sqlite_tracker, tmp_path, monkeypatch):
    """A large outbox is worded, made and written in one round of forked processes (in
    the template's limits), not one round to word and another to write: what comes back
    from each process is, per message, its subject, name, address and file name, never
    the words or the student's story; nothing is in the outbox until all have worded."""
    from tracker import forked
    from tracker.service import mail

    nine_students_for_a_parallel_outbox(sqlite_tracker, tmp_path)
    rounds: list[tuple[int, forked.Limits | None, list[object]]] = []
    in_workers = forked.in_workers

    def counted(work, parts, limits=None):
        results = in_workers(work, parts, limits)
        rounds.append((len(parts), limits, results))
        return results

    monkeypatch.setattr(forked, "in_workers", counted)
    monkeypatch.setattr(mail, "IN_PARALLEL_FROM", 2)
    folder = tmp_path / "outbox"
    result = sqlite_tracker("remind", "--as-of", "2025-01-15", "--outbox", str(folder),
                            "--from", "Coordinator <aasco@example.org>")
    assert sorted(p.name for p in folder.iterdir()) == [
        f"s{2000000 + i}.eml" for i in range(9)]  # and no hidden folder left behind
    assert "s2000008  Student 8 <student8@example.org>: " in result.output
    assert len(rounds) == 1
    processes, limits, results = rounds[0]
    assert processes == min(forked.cores(), 4) and limits is not None
    assert all(problem is None for problem, _ in results)
    dealt = forked.slices(9, processes)  # each process took every n-th student
    back = forked.merged(dealt, [share for _, share in results])
    assert [said[3] for said in back] == [f"s{2000000 + i}.eml" for i in range(9)]
    assert all(type(part) is str for said in back for part in said)


def test_work_for_processes_is_dealt_out_and_put_back_in_order():
    """Each process takes every n-th item (neighbours cost alike: one block each left a
    process working long after the other), every item exactly once; the shares come
    back in the items' order, and a share that lost an item is refused, not shifted."""
    import pytest

    from tracker import forked

    items = [f"s{i}" for i in range(10)]
    parts = forked.slices(len(items), 3)
    assert [list(forked.pick(items, part)) for part in parts] == [
        ["s0", "s3", "s6", "s9"], ["s1", "s4", "s7"], ["s2", "s5", "s8"]]
    shares = [[name.upper() for name in forked.pick(items, part)] for part in parts]
    assert forked.merged(parts, shares) == [name.upper() for name in items]
    assert forked.slices(2, 4) == [range(0, 2, 2), range(1, 2, 2)]  # no empty part
    assert forked.slices(0, 4) == []
    with pytest.raises(ValueError):
        forked.merged(parts, [shares[0][:-1], shares[1], shares[2]])


def test_the_console_script_collects_garbage_once_the_database_is_open(tmp_path):
    """The collector is off through the imports and on (over the command's own objects)
    from the moment the database opens: a long import still has its cycles collected."""
    import subprocess
    import sys

    probe = (
        "import gc, sys\n"
        "from tracker.cli import context\n"
        "opened = context.AppContext.database\n"
        "def database(self, **options):\n"
        "    print('before', gc.isenabled(), file=sys.stderr)\n"
        "    result = opened(self, **options)\n"
        "    print('after', gc.isenabled(), gc.get_threshold()[0], file=sys.stderr)\n"
        "    return result\n"
        "context.AppContext.database = database\n"
        "from tracker.cli import run\n"
        "sys.argv = ['tracker', 'student', 'list']\n"
        "run()\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={"TRACKER_DATABASE_URL": str(tmp_path / "gc.db"),
                               "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "before False" in done.stderr
    assert "after True 50000" in done.stderr
