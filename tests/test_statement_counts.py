"""Reports cost a fixed number of SQL statements, however many students there are:
an N+1 query cannot come back unnoticed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from tracker.cli import main
from tracker.cli.context import AppContext


def programme(folder: Path, students: int) -> tuple[Path, Path, Path]:
    roster = folder / f"students-{students}.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{2000000 + i},Student {i},,{('2017-09', '2023-09', '2024-02')[i % 3]}\n"
        for i in range(students)))
    schedule = folder / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2024-10-01,Peers\n"
                        "mentor-meeting,2024-10-02,Mentor\nlacdr-seminar,2017-10-01,Seminar\n")
    sheet = folder / f"sheet-{students}.csv"
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s{2000000 + i},{1 + i % 3}\n" for i in range(students)))
    return roster, schedule, sheet


def statements_for_report(url: str, folder: Path, students: int) -> int:
    context = AppContext(url)
    runner = CliRunner()
    roster, schedule, sheet = programme(folder, students)
    for args in (["student", "import", str(roster)], ["activity", "import", str(schedule)],
                 ["attend", "--import", str(sheet)]):
        assert runner.invoke(main, args, obj=context).exit_code == 0
    for student in range(students):
        if student % 10 == 0:
            runner.invoke(main, ["assignment", f"s{2000000 + student}", "1", "approved",
                                 "--date", "2024-10-05"], obj=context)
    executed: list[str] = []
    engine = context.database().engine
    listener = lambda *args: executed.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for fmt in ("csv", "json", "table"):
            result = runner.invoke(main, ["report", "--format", fmt], obj=context)
            assert result.exit_code == 0, result.output
            assert result.output.count("s2") >= students
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        context.close()
    return len(executed)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_report_statements_do_not_grow_with_students(engine, tmp_path, new_database):
    small = statements_for_report(new_database(engine), tmp_path, 10)
    large = statements_for_report(new_database(engine), tmp_path, 1000)
    assert small == large
    # a handful per report (waivers one of them), in three formats; the table people
    # read also counts the claims that wait for a decision
    assert small <= 3 * 7 + 1
