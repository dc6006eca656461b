"""Bulk imports and the grade-book export, with files shaped like the real ones."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DUTCH_EXCEL = ("\ufeffStudent_Number ; Name;E-mail ; START\r\n"
               "S1234567;Ada Jansen;ada@example.org;2024-09\r\n"
               " s 7654321 ;Bram de Vries;;2024-09\r\n").encode()
BRIGHTSPACE_USERS = (
    "OrgDefinedId,Username,Last Name,First Name,Email,End-of-Line Indicator\n"
    "#s2000001,#s2000001,Visser,Carla,carla@example.org,#\n"
    "#s2000002,#s2000002,Bakker,Daan,daan@example.org,#\n")
SCHEDULE = ("kind,date,title,location\n"
            "colloquium,2025-03-13,Peer colloquium,Gorlaeus\n"
            "career-event,2025-04-10,Science Career Event,\n")


def write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return str(path)


def state(tracker) -> tuple:
    return (tracker("history", "--all", "--format", "csv").stdout,
            tracker("student", "list", "--format", "csv").stdout,
            tracker("activity", "list", "--format", "csv").stdout)


@pytest.fixture
def programme(tracker, tmp_path):
    tracker("student", "import", write(tmp_path, "dutch.csv", DUTCH_EXCEL))
    tracker("student", "import", write(tmp_path, "bs.csv", BRIGHTSPACE_USERS),
            "--start", "2025-02")
    tracker("activity", "import", write(tmp_path, "schedule.csv", SCHEDULE))
    return tracker


def test_dutch_excel_class_list(tracker, tmp_path):
    path = write(tmp_path, "dutch.csv", DUTCH_EXCEL)
    result = tracker("student", "import", path)
    assert result.stdout.strip().endswith("added 2 students, 0 already present")
    students = tracker.json("student", "list")
    assert [(s["student"], s["name"], s["start"]) for s in students] == [
        ("s1234567", "Ada Jansen", "2024-09"), ("s7654321", "Bram de Vries", "2024-09")]
    again = tracker("student", "import", path)
    assert "added 0 students, 2 already present: nothing changed" in again.stdout
    assert [h["command"] for h in tracker.json("history")].count("student import") == 1


def test_brightspace_user_export_needs_a_start_month(tracker, tmp_path):
    path = write(tmp_path, "users.csv", BRIGHTSPACE_USERS)
    assert "give --start YYYY-MM" in tracker("student", "import", path, expect=2).output
    tracker("student", "import", path, "--start", "2025-02")
    shown = tracker.json("student", "show", "s2000001")
    assert (shown["name"], shown["email"], shown["start"]) == \
        ("Carla Visser", "carla@example.org", "2025-02")


def test_changed_details_are_refused_unless_update(tracker, tmp_path):
    tracker("student", "import", write(tmp_path, "a.csv", DUTCH_EXCEL))
    changed = DUTCH_EXCEL.replace(b"Ada Jansen", b"Ada Jansen-Smit")
    path = write(tmp_path, "b.csv", changed)
    result = tracker("student", "import", path, expect=2)
    assert "line 2: s1234567 is registered as 'Ada Jansen'" in result.output
    tracker("student", "import", path, "--update")
    assert tracker.json("student", "show", "s1234567")["name"] == "Ada Jansen-Smit"
    tracker("undo")
    assert tracker.json("student", "show", "s1234567")["name"] == "Ada Jansen"


def test_schedule_import_twice_changes_nothing(tracker, tmp_path):
    path = write(tmp_path, "schedule.csv", SCHEDULE)
    assert "added 2 activities" in tracker("activity", "import", path).stdout
    assert "added 0 activities, 2 already present" in tracker("activity", "import", path).stdout
    rows = tracker.json("activity", "list")
    assert [(a["id"], a["kind"], a["location"]) for a in rows] == [
        (1, "colloquium", "Gorlaeus"), (2, "career-event", None)]


def test_attendance_by_id_and_by_kind_date_title(programme, tmp_path):
    by_id = write(tmp_path, "sheet.csv", "student_number,activity_id,status,note\n"
                  "s1234567,1,,asked about organoids\nS2000001,1,Attended,\n"
                  "s2000002,2,excused,ill\n")
    result = programme("attend", "--import", by_id)
    assert "added 3 attendances, 0 already present" in result.stdout
    by_key = write(tmp_path, "other.csv", "Student Number;Kind;Date;Title\n"
                   "s1234567;colloquium;2025-03-13;Peer colloquium\n"
                   "s7654321;colloquium;2025-03-13;Peer colloquium\n")
    result = programme("attend", "--import", by_key)
    assert "added 1 attendance, 1 already present" in result.stdout
    assert [a["attended"] for a in programme.json("activity", "list")] == [3, 0]
    again = programme("attend", "--import", by_id)
    assert "added 0 attendances, 3 already present: nothing changed" in again.stdout


def test_bad_lines_are_all_reported_and_nothing_is_written(programme, tmp_path):
    lines = ["student_number,activity_id"] + [f"s{9000000 + i},1" for i in range(25)]
    lines.insert(3, "s1234567,1")
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    before = state(programme)
    result = programme("attend", "--import", path, expect=2)
    assert "25 problem(s), nothing imported" in result.output
    assert "line 2: no student s9000000" in result.output
    assert "... and 5 more" in result.output
    assert state(programme) == before


def test_dry_run_shows_and_writes_nothing(programme, tmp_path):
    path = write(tmp_path, "sheet.csv", "student_number,activity_id\ns1234567,1\ns7777777,1\n")
    before = state(programme)
    result = programme("attend", "--import", path, "--dry-run", expect=2)
    assert "line 2: add s1234567 attended #1" in result.output
    assert "line 3: no student s7777777" in result.output
    assert state(programme) == before
    clean = write(tmp_path, "clean.csv", "student_number,activity_id\ns1234567,1\n")
    result = programme("attend", "--import", clean, "--dry-run")
    assert "would add 1 attendance, 0 already present" in result.stdout
    assert state(programme) == before


@pytest.mark.parametrize("content, problem", [
    (b"", "line 1: the file is empty"),
    (b"name,email\nx,y\n", "line 1: missing column(s) student number"),
    (b"student_number,activity_id\n\xff\xfe,1\n", "not UTF-8 text"),
    (b"student_number,activity_id\ns1234567,1,extra\n", "line 2: more fields than the header"),
    (b"student_number,activity_id\ns1234567,abc\n", "line 2: activity id 'abc' is not a number"),
    (b"student_number,activity_id,status\ns1234567,1,maybe\n", "line 2: status 'maybe'"),
])
def test_malformed_attendance_files(programme, tmp_path, content, problem):
    before = state(programme)
    result = programme("attend", "--import", write(tmp_path, "x.csv", content), expect=2)
    assert problem in result.output
    assert state(programme) == before


def test_undo_an_import(programme, tmp_path):
    path = write(tmp_path, "sheet.csv", "student_number,activity_id\ns1234567,1\ns7654321,1\n")
    programme("attend", "--import", path)
    programme("undo")
    assert programme.json("activity", "list")[0]["attended"] == 0
    assert programme.json("history", "s1234567")[0]["command"] == "undo"


def test_brightspace_grade_export(programme, tmp_path):
    output = tmp_path / "grades.csv"
    result = programme("export", "brightspace", "--item", "AASCO completion", "-o", str(output))
    assert "4 student(s), 0 complete" in result.output
    rows = list(csv.reader(io.StringIO(output.read_text())))
    assert rows[0] == ["OrgDefinedId", "Username", "AASCO completion Points Grade",
                       "End-of-Line Indicator"]
    assert rows[1] == ["#s1234567", "#s1234567", "0", "#"]
    assert all(row[-1] == "#" for row in rows[1:])
    only = programme("export", "brightspace", "--item", "X", "--only-complete").stdout
    assert only.splitlines() == ["OrgDefinedId,Username,X Points Grade,End-of-Line Indicator"]


def test_exported_csv_has_no_cell_a_spreadsheet_would_run(tracker, tmp_path):
    hostile = '=HYPERLINK("http://evil.example","click")'
    tracker("student", "add", "s1234567", "--name", hostile, "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-01", "--title", "@SUM(1+1)")
    outputs = [tracker("student", "list", "--format", "csv").stdout,
               tracker("activity", "list", "--format", "csv").stdout,
               tracker("report", "--format", "csv").stdout,
               tracker("history", "--format", "csv").stdout,
               tracker("export", "brightspace", "--item", "AASCO", "--per-requirement").stdout]
    for text in outputs:
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
                assert not (cell.startswith("-") and not cell[1:].replace(".", "").isdigit()), \
                    cell
    assert tracker.json("student", "list")[0]["name"] == hostile  # stored verbatim


HEADERS = ["student_number,activity_id", "student_number;activity_id;status;note",
           "kind,date,title", "student_number,name,email,start",
           "OrgDefinedId,Username,Last Name,First Name,Email,End-of-Line Indicator"]
CELLS = st.one_of(st.sampled_from(["s1234567", "S 7654321", "1", "2", "colloquium",
                                   "2025-03-13", "Peer colloquium", "excused", "#", "",
                                   "2024-09", "=1+1", "a@b.nl"]),
                  st.text(max_size=12))


@st.composite
def csv_files(draw) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    delimiter = ";" if ";" in header else ","
    rows = draw(st.lists(st.lists(CELLS, min_size=1, max_size=6), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write(header + "\n")
    writer.writerows(rows)
    text = buffer.getvalue()
    return (("\ufeff" if draw(st.booleans()) else "") + text).encode()


IMPORTERS = [["student", "import", "{}", "--start", "2025-09"], ["activity", "import", "{}"],
             ["attend", "--import", "{}"]]


@pytest.mark.parametrize("command", IMPORTERS, ids=["students", "activities", "attendance"])
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=200), csv_files()))
def test_importers_never_crash_and_refuse_without_writing(programme_sqlite, tmp_path, command,
                                                          content):
    path = write(tmp_path, "fuzz.csv", content)
    before = state(programme_sqlite)
    result = programme_sqlite(*[part.replace("{}", path) for part in command],
                              expect=None)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert result.output.strip()
        assert state(programme_sqlite) == before


@pytest.fixture
def programme_sqlite(sqlite_tracker, tmp_path):
    sqlite_tracker("student", "import", write(tmp_path, "dutch.csv", DUTCH_EXCEL))
    sqlite_tracker("activity", "import", write(tmp_path, "schedule.csv", SCHEDULE))
    return sqlite_tracker


def test_a_sheet_imported_again_loads_no_record_per_line(programme, tmp_path):
    """A re-import compares the lines with what is recorded in one light query per batch:
    loading a record per line made a 400,000-line sheet take three times as long again."""
    from sqlalchemy import event

    from tracker.db.models import Participation

    lines = [f"{n},{a}" for n in ("s1234567", "s7654321", "s2000001", "s2000002")
             for a in (1, 2)]
    sheet = write(tmp_path, "sheet.csv", "student_number,activity_id\n" + "\n".join(lines))
    programme("attend", "--import", sheet)
    loaded = []
    listener = lambda target, context: loaded.append(target)  # noqa: E731
    event.listen(Participation, "load", listener)
    try:
        again = programme("attend", "--import", sheet)
        corrected = programme("attend", "--import", write(
            tmp_path, "corrected.csv", "student_number,activity_id,status\n"
                                       "s1234567,1,excused\ns1234567,2,attended\n"))
    finally:
        event.remove(Participation, "load", listener)
    assert "added 0 attendances, 8 already present: nothing changed" in again.stdout
    assert "1 already present, updated 1" in corrected.stdout
    assert len(loaded) == 1  # only the record corrected
