"""What a user sees before touching data: help, start-up cost, output formats."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from tracker.cli import COMMANDS, main
from tracker.output import to_csv, to_table


def all_commands(group: click.Group, prefix: str = ""):
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from all_commands(command, f"{prefix}{name} ")


def test_the_command_list_in_help_matches_the_commands():
    context = click.Context(main)
    for name, (_, _, short_help) in COMMANDS.items():
        command = main.get_command(context, name)
        assert command is not None
        assert command.get_short_help_str(limit=100) == short_help, name


def test_every_command_has_help_text():
    for name, command in all_commands(main):
        assert command.help, f"`tracker {name}` has no help text"
        result = CliRunner().invoke(main, [*name.split(), "--help"])
        assert result.exit_code == 0, name
        if isinstance(command, click.Group):  # each command's first sentence, whole
            listed = result.output.partition("Commands:")[2]
            assert listed and "..." not in listed, name


def test_help_does_not_import_sqlalchemy():
    code = ("import sys\nfrom tracker.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic')\n"
            "       or m.startswith('tracker.cli.') and m != 'tracker.cli.context']\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_table_fits_80_columns():
    rows = [{"student": "s1234567", "name": "A" * 120, "title": "B" * 90}]
    table = to_table(rows, ["student", "name", "title"], width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
    assert "…" in table and "s1234567" in table


def test_csv_cells_a_spreadsheet_would_run_are_neutralised():
    rows = [{"name": '=HYPERLINK("http://x","y")'}, {"name": "+31 6"}, {"name": "-12.5"},
            {"name": "@SUM(A1)"}]
    lines = to_csv(rows, ["name"]).splitlines()[1:]
    assert lines == ['"\'=HYPERLINK(""http://x"",""y"")"', "'+31 6", "-12.5", "'@SUM(A1)"]


def test_tables_line_up_names_in_any_script():
    from wcwidth import wcswidth

    rows = [{"student": "s1", "name": "张伟", "start": "2024-09"},
            {"student": "s2", "name": "Ngọc Ánh", "start": "2024-09"},
            {"student": "s3", "name": "Zoë", "start": "2024-09"}]
    lines = to_table(rows, ["student", "name", "start"], width=80).splitlines()
    starts = {wcswidth(line[:line.index("2024-09")]) for line in lines[2:]}
    assert len(starts) == 1, lines
    narrow = to_table([{"name": "张" * 30}], ["name"], width=20).splitlines()
    assert wcswidth(narrow[2]) <= 20 and narrow[2].endswith("…")


def test_db_after_the_command_says_where_it_goes(tmp_path):
    result = CliRunner().invoke(main, ["student", "list", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 2
    assert "--db goes before the command: tracker --db URL student list ..." in result.output
    assert not (tmp_path / "t.db").exists()


def test_a_table_going_to_a_file_or_program_keeps_every_cell_whole(monkeypatch):
    rows = [{"student": "s1234567", "attention": "career-symposium overdue; " * 8}]
    import io

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())  # a file, not a terminal
    piped = to_table(rows, ["student", "attention"])
    assert "…" not in piped and piped.count("overdue") == 8
    monkeypatch.setenv("COLUMNS", "60")
    assert all(len(line) <= 60 for line in to_table(rows, ["student", "attention"])
               .splitlines())


def test_an_html_page_is_not_poured_onto_a_terminal(tmp_path):
    import pexpect

    terminal = pexpect.spawn(sys.executable, ["-m", "tracker", "--db", str(tmp_path / "t.db"),
                                              "report", "--format", "html"],
                             encoding="utf-8", timeout=60)
    terminal.expect("name the file with -o FILE")
    terminal.expect(pexpect.EOF)
    terminal.close()
    assert terminal.exitstatus == 2
    piped = subprocess.run([sys.executable, "-m", "tracker", "--db", str(tmp_path / "t.db"),
                            "report", "--format", "html"], capture_output=True, text=True)
    assert piped.returncode == 0 and piped.stdout.startswith("<!doctype html>")


def test_tracker_alone_shows_the_help_and_is_no_error():
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0
    assert "Commands:" in result.output and "Start here:" in result.output


def test_db_current_on_a_new_folder_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["db", "current"])
    assert result.exit_code == 0, result.output
    assert "the first command makes it" in result.output
    assert "run `tracker db upgrade`" not in result.output
    assert not (tmp_path / "data" / "tracker.db").exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    result = CliRunner().invoke(main, ["--db", str(empty), "db", "current"])
    assert "empty: the next command creates the schema" in result.output


def test_a_student_on_an_empty_database_is_told_whose_database_it_is(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "progress",
                                       "s1234567"])
    assert result.exit_code == 2
    assert "It is a coordinator's database" in result.output
    assert "register them with `tracker student add`" not in result.output
