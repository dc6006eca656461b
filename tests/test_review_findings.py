"""What a review of the whole tree and a new user's term found: each reproduced here."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from tracker.db.engine import resolve_url


@pytest.fixture
def seeded(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers")
    return tracker


def history(tracker) -> str:
    return tracker("history", "--all", "--format", "csv").stdout


def test_a_damaged_version_table_is_one_line_and_exit_2(tracker):
    tracker("student", "list")
    engine = create_engine(resolve_url(tracker.url))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(text("CREATE TABLE alembic_version (wrong INTEGER)"))
    engine.dispose()
    result = tracker("student", "list", expect=2)
    assert "alembic_version table is damaged" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("option", ["--complete-points", "--incomplete-points"])
def test_grade_points_must_be_numbers(seeded, tmp_path, option):
    grades = tmp_path / "grades.csv"
    result = seeded("export", "brightspace", "--item", "X", option, "abc", "-o", str(grades),
                    expect=2)
    assert "'abc' is not a valid float" in result.output
    assert not grades.exists()
    seeded("export", "brightspace", "--item", "X", option, "2.5", "-o", str(grades))
    # Nobody here has completed: only --incomplete-points shows. Both, with a student
    # who has: tests/test_survivors.py.
    points = {line.split(",")[2] for line in grades.read_text().splitlines()[1:]}
    assert points == ({"2.5"} if option == "--incomplete-points" else {"0"})


def test_a_sheet_corrects_excused_to_attended_as_typing_does(seeded, tmp_path):
    seeded("attend", "1", "s1234567", "s7654321", "--excused")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns1234567,1,attended\n")
    result = seeded("attend", "--import", str(sheet))
    assert "added 0 attendances, 0 already present, updated 1" in result.stdout
    typed = seeded("attend", "1", "s7654321")
    assert "updated: s7654321 (attended)" in typed.stdout
    assert seeded.json("activity", "list")[0]["attended"] == 2
    again = seeded("attend", "--import", str(sheet))
    assert "nothing changed" in again.stdout


def test_downgrading_to_excused_says_so_both_ways(seeded, tmp_path):
    seeded("attend", "1", "s1234567", "s7654321")
    typed = seeded("attend", "1", "s1234567", "--excused")
    assert "s1234567 attended before and are now excused" in typed.stderr
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns7654321,1,excused\n")
    imported = seeded("attend", "--import", str(sheet))
    assert "1 attendance changed from attended to excused" in imported.stderr
    assert seeded.json("activity", "list")[0]["attended"] == 0
    seeded("undo")
    assert seeded.json("activity", "list")[0]["attended"] == 1


@pytest.mark.parametrize("command", [
    ["export", "brightspace", "--item", "X", "-o", "{missing}/grades.csv"],
    ["student", "export", "s1234567", "-o", "{missing}/s1234567.json"],
    ["export", "brightspace", "--item", "X", "-o", "{folder}"],
])
def test_a_file_option_into_a_missing_folder_is_one_line(seeded, tmp_path, command):
    args = [part.format(missing=tmp_path / "no" / "such", folder=tmp_path) for part in command]
    result = seeded(*args, expect=2)
    assert len(result.output.strip().splitlines()) == 1
    assert "does not exist" in result.output or "is a folder" in result.output


def test_history_of_a_student_keeps_undone_changes(seeded):
    seeded("attend", "1", "s1234567")
    seeded("undo")
    rows = seeded.json("history", "s1234567")
    assert [r["command"] for r in rows] == ["undo", "attend", "student add"]
    assert rows[1]["undone_by"] == rows[0]["id"]
    seeded("attend", "1", "s7654321")
    seeded("attend", "1", "s7654321", "--remove")
    assert [r["command"] for r in seeded.json("history", "s7654321")] == [
        "attend remove", "attend", "student add"]


def test_import_summaries_count_in_words(tracker, tmp_path):
    one = tmp_path / "one.csv"
    one.write_text("kind,date,title\ncolloquium,2024-10-01,Only\n")
    assert "added 1 activity, 0 already present" in tracker("activity", "import",
                                                            str(one)).stdout
    twenty = tmp_path / "twenty.csv"
    twenty.write_text("kind,date,title\n" + "".join(
        f"colloquium,2024-11-{day:02d},Colloquium\n" for day in range(1, 21)))
    shown = tracker("activity", "import", str(twenty), "--dry-run").stdout
    assert shown.count("  line ") == 20 and "..." not in shown
    more = tmp_path / "more.csv"
    more.write_text("kind,date,title\n" + "".join(
        f"colloquium,2024-12-{day:02d},Colloquium\n" for day in range(1, 26)))
    shown = tracker("activity", "import", str(more), "--dry-run").stdout
    assert shown.count("  line ") == 20 and "... and 5 more line(s)" in shown


def test_the_rules_package_exports_what_it_names():
    import tracker.rules

    for name in tracker.rules.__all__:
        assert hasattr(tracker.rules, name), name


READ_ONLY_COMMANDS = [["student", "list"], ["student", "show", "s1234567"],
                      ["activity", "list"], ["progress", "s1234567"], ["report"],
                      ["history"], ["history", "s1234567"], ["rules", "show"],
                      ["student", "export", "s1234567"],
                      ["export", "brightspace", "--item", "X"]]


def test_commands_that_only_read_write_nothing(seeded):
    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.cli.context import AppContext

    context = AppContext(seeded.url)
    writes: list[str] = []

    def watch(connection, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() not in ("SELECT", "BEGIN", "WITH"):
            writes.append(statement)

    event.listen(context.database().engine, "before_cursor_execute", watch)
    runner = CliRunner()
    for command in READ_ONLY_COMMANDS:
        result = runner.invoke(main, command, obj=context)
        assert result.exit_code == 0, (command, result.output)
    context.close()
    assert writes == []


@pytest.mark.parametrize("typed, problem", [
    ("20241003", "'20241003' is not a date of the form YYYY-MM-DD"),
    ("2025-13-01", "'2025-13-01': there is no month 13"),
    ("2025-02-30", "'2025-02-30': February 2025 has no day 30 (it has 28)"),
    ("1850-01-01", "the year 1850 is before 1900"),
])
def test_dates_say_what_is_wrong(seeded, typed, problem):
    result = seeded("activity", "add", "colloquium", "--date", typed, "--title", "x",
                    expect=2)
    assert problem in result.output


def test_months_say_what_is_wrong(seeded):
    assert "'2024-13': there is no month 13" in seeded(
        "student", "add", "s1111111", "--name", "X", "--start", "2024-13", expect=2).output
