"""Files as coordinators keep them: Excel workbooks, Dutch headers, dates as Excel writes
them, Brightspace exports of several intakes (SPEC §10, issue 19)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

TODAY = date.today()


def workbook(path: Path, rows: list[list[object]], *, first_sheet: str = "Blad1") -> str:
    """A workbook as Excel saves it: the data on the first sheet, something else after."""
    book = Workbook()
    sheet = book.active
    sheet.title = first_sheet
    for row in rows:
        sheet.append(row)
    book.create_sheet("Notities").append(["not read"])
    book.save(path)
    return str(path)


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def registered(tracker, tmp_path):
    tracker("student", "import", write(tmp_path / "students.csv",
                                        "student_number,name,email,start\n"
                                        "s1234567,Ada Jansen,ada@example.org,2024-09\n"
                                        "s7654321,Bram de Vries,,2024-09\n"))
    return tracker


def test_a_dutch_excel_class_list_keeps_every_column(tracker, tmp_path):
    # Student_Number;Name;E-mail;Start: the e-mail column was dropped in silence.
    path = write(tmp_path / "klas.csv", "Student_Number;Name;E-mail;Start;Telefoon\n"
                                        "s1234567;Ada Jansen;ada@example.org;sep-24;0612345678\n"
                                        "s7654321;Bram de Vries;bram@example.org;1-2-2025;\n")
    dry = tracker("student", "import", path, "--dry-run")
    assert "'Telefoon'" in dry.stderr and "not one this import reads" in dry.stderr
    done = tracker("student", "import", path)
    assert "'Telefoon'" in done.stderr
    shown = {s["student"]: (s["email"], s["start"]) for s in tracker.json("student", "list")}
    assert shown == {"s1234567": ("ada@example.org", "2024-09"),
                     "s7654321": ("bram@example.org", "2025-02")}


def test_a_refused_import_names_the_unread_column_too_once(sqlite_tracker, tmp_path):
    path = write(tmp_path / "klas.csv", "studentnummer;naam;startmaand;Telefoon\n"
                                        "s1234567;Ada;sep-24;06\nnot-a-number;Bram;sep-24;\n")
    for dry_run in ([], ["--dry-run"]):
        result = sqlite_tracker("student", "import", path, *dry_run, expect=2)
        assert "line 3: 'not-a-number' is not a student number" in result.output
        assert result.output.count("'Telefoon'") == 1


def test_dutch_header_names(tracker, tmp_path):
    tracker("student", "import", write(tmp_path / "lijst.csv",
                                        "Studentnummer;Voornaam;Achternaam;E-mailadres;"
                                        "Startmaand\n"
                                        "s1234567;Ada;Jansen;ada@example.org;okt-24\n"))
    student = tracker.json("student", "show", "s1234567")
    assert (student["name"], student["email"], student["start"]) == \
        ("Ada Jansen", "ada@example.org", "2024-10")
    tracker("activity", "import", write(tmp_path / "rooster.csv",
                                         "Soort;Datum;Titel;Locatie\n"
                                         "colloquium;03-10-2024;Peer colloquium;Gorlaeus\n"))
    assert tracker.json("activity", "list")[0]["date"] == "2024-10-03"


def test_two_columns_that_mean_the_same_are_refused(tracker, tmp_path):
    path = write(tmp_path / "twice.csv", "student_number,name,email,e-mail,start\n"
                                         "s1234567,Ada,a@example.org,b@example.org,2024-09\n")
    result = tracker("student", "import", path, expect=2)
    assert "'email' and 'e-mail', both the column email" in result.output
    assert tracker.json("student", "list") == []


@pytest.mark.parametrize("written", ["2024-10-03", "3-10-2024", "03/10/2024", "03.10.2024",
                                     "03-10-2024 00:00:00", "2024-10-03 00:00:00",
                                     "3/10/2024 0:00"])
def test_schedule_dates_as_excel_writes_them(sqlite_tracker, tmp_path, written):
    sqlite_tracker("activity", "import", write(tmp_path / "s.csv", "kind,date,title\n"
                                                f"colloquium,{written},Peers\n"))
    assert sqlite_tracker.json("activity", "list")[0]["date"] == "2024-10-03"


@pytest.mark.parametrize("written, problem", [
    ("10/13/2024", "there is no month 13"),  # month first: refused, never misread
    ("3-10-24", "write the year in full"),
    ("3 oktober 2024", "is not a date"),
    ("31-09-2024", "September 2024 has no day 31"),
    ("2024-10-03 14:30", "is not a date"),
])
def test_dates_that_could_be_misread_are_refused(sqlite_tracker, tmp_path, written, problem):
    result = sqlite_tracker("activity", "import", write(tmp_path / "s.csv", "kind,date,title\n"
                                                         f"colloquium,{written},Peers\n"),
                            expect=2)
    assert f"line 2: date '{written}'" in result.output and problem in result.output


@pytest.mark.parametrize("written, month", [
    ("2024-09", "2024-09"), ("sep-24", "2024-09"), ("sept 2024", "2024-09"),
    ("September 2024", "2024-09"), ("okt-24", "2024-10"), ("mrt 2025", "2025-03"),
    ("mei-25", "2025-05"), ("1-9-2024", "2024-09"), ("2024-09-01", "2024-09"),
    ("01.02.2025 00:00:00", "2025-02"), ("09-2024", "2024-09")])
def test_start_months_as_coordinators_write_them(sqlite_tracker, tmp_path, written, month):
    sqlite_tracker("student", "import", write(tmp_path / "c.csv", "student_number,name,start\n"
                                               f"s1234567,Ada,{written}\n"))
    assert sqlite_tracker.json("student", "show", "s1234567")["start"] == month


@pytest.mark.parametrize("written, problem", [
    ("15-9-2024", "is a day, not a month: give the month (2024-09)"),
    ("sap-24", "'sap' is not the name of a month"),
    ("9998-01", "the year 9998 is after 2200"),
])
def test_start_months_refused_in_words(sqlite_tracker, tmp_path, written, problem):
    result = sqlite_tracker("student", "import", write(tmp_path / "c.csv",
                                                        "student_number,name,start\n"
                                                        f"s1234567,Ada,{written}\n"), expect=2)
    assert "line 2: start" in result.output and problem in result.output


def test_every_import_reads_an_excel_workbook(tracker, tmp_path):
    tracker("student", "import", workbook(tmp_path / "klas.xlsx", [
        ["Studentnummer", "Naam", "E-mail", "Startmaand"],
        [1234567, "Ada Jansen", "ada@example.org", datetime(2024, 9, 1)],
        [],  # an empty row between: skipped, and the row numbers stay Excel's
        ["s7654321", "Bram de Vries", None, "feb-25"]]))
    assert [(s["student"], s["start"]) for s in tracker.json("student", "list")] == [
        ("s1234567", "2024-09"), ("s7654321", "2025-02")]
    day = TODAY - timedelta(days=7)
    tracker("activity", "import", workbook(tmp_path / "rooster.xlsx", [
        ["kind", "date", "title"], ["colloquium", datetime(day.year, day.month, day.day),
                                    "Peer colloquium"]]))
    assert tracker.json("activity", "list")[0]["date"] == day.isoformat()
    tracker("attend", "--import", workbook(tmp_path / "presentie.xlsx", [
        ["student_number", "activity_id", "note"], [1234567, 1.0, "asked a question"],
        ["s7654321", 1, None]]))
    assert tracker.json("activity", "show", "1")["attendees"][0]["note"] == "asked a question"
    result = tracker("assignment", "--import", workbook(tmp_path / "reflecties.xlsx", [
        ["studentnummer", "opdracht", "status", "datum", "feedback"],
        ["s1234567", 1, "submitted", datetime(day.year, day.month, day.day), None],
        ["s1234567", 1, "approved", datetime(day.year, day.month, day.day), "Clear."]]))
    assert "recorded 2 assignment decisions (1 submitted, 1 approved)" in result.stdout


def test_a_workbook_names_problems_by_excel_row(sqlite_tracker, tmp_path):
    path = workbook(tmp_path / "klas.xlsx", [["student_number", "name", "start"],
                                             ["s1234567", "Ada", "2024-09"], [], [],
                                             ["not-a-number", "Bram", "2024-09"]])
    result = sqlite_tracker("student", "import", path, expect=2)
    assert "line 5: 'not-a-number' is not a student number" in result.output


def test_a_file_that_is_not_a_workbook_is_refused_in_words(sqlite_tracker, tmp_path):
    fake = tmp_path / "list.xlsx"
    fake.write_text("student_number,name,start\n")
    result = sqlite_tracker("student", "import", str(fake), expect=2)
    assert "list.xlsx is not an Excel workbook that can be read" in result.output
    old = tmp_path / "list.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "save it as an Excel workbook (.xlsx)" in sqlite_tracker(
        "student", "import", str(old), expect=2).output


BRIGHTSPACE = "OrgDefinedId,Username,Last Name,First Name,Email,{extra}End-of-Line Indicator\n"


def test_a_brightspace_export_of_mixed_intakes_by_a_start_column(tracker, tmp_path):
    path = write(tmp_path / "bs.csv", BRIGHTSPACE.format(extra="Start,") +
                 "#s2000001,#s2000001,Visser,Carla,carla@example.org,sep-24,#\n"
                 "#s2000002,#s2000002,Bakker,Daan,daan@example.org,,#\n")
    refused = tracker("student", "import", path, expect=2).output
    assert "line 3: start is empty" in refused and "--start YYYY-MM" in refused
    tracker("student", "import", path, "--start", "2025-02")
    assert {s["student"]: s["start"] for s in tracker.json("student", "list")} == {
        "s2000001": "2024-09", "s2000002": "2025-02"}


def test_a_brightspace_export_of_mixed_intakes_by_section(tracker, tmp_path):
    path = write(tmp_path / "bs.csv", BRIGHTSPACE.format(extra="Section,") +
                 "#s2000001,#s2000001,Visser,Carla,carla@example.org,AASCO sept 2024,#\n"
                 "#s2000002,#s2000002,Bakker,Daan,daan@example.org,aasco FEB 2025 ,#\n"
                 "#s2000003,#s2000003,Smit,Eva,,AASCO sept 2024,#\n")
    sections = ["--section-start", "AASCO sept 2024=2024-09",
                "--section-start", "AASCO feb 2025=feb-25"]
    tracker("student", "import", path, *sections)
    assert {s["student"]: s["start"] for s in tracker.json("student", "list")} == {
        "s2000001": "2024-09", "s2000002": "2025-02", "s2000003": "2024-09"}
    unmapped = write(tmp_path / "more.csv", BRIGHTSPACE.format(extra="Section,") +
                     "#s2000004,#s2000004,Kok,Finn,,AASCO sept 2025,#\n")
    result = tracker("student", "import", unmapped, *sections, expect=2)
    assert "section 'AASCO sept 2025' has no start month" in result.output
    without = tracker("student", "import", unmapped, "--start", "2025-09")
    assert "'Section'" in without.stderr  # not read without --section-start: said so


def test_seven_bare_digits_are_a_student_number_for_attend(registered, tmp_path):
    day = (TODAY - timedelta(days=3)).isoformat()
    registered("activity", "add", "colloquium", "--date", day, "--title", "Peers")
    registered("attend", "1", "1234567")
    registered("attend", "--import", write(tmp_path / "sheet.csv",
                                            "student_number,activity_id\n7654321,1\n"))
    assert [a["student"] for a in registered.json("activity", "show", "1")["attendees"]] == \
        ["s1234567", "s7654321"]


def test_a_sheet_matches_titles_whatever_their_case(registered, tmp_path):
    day = (TODAY - timedelta(days=3)).isoformat()
    registered("activity", "add", "colloquium", "--date", day, "--title", "Peer colloquium")
    result = registered("attend", "--import", write(
        tmp_path / "sheet.csv", "student_number,kind,date,title\n"
                                f"s1234567,colloquium,{day},  PEER Colloquium \n"))
    assert "added 1 attendance" in result.stdout


@pytest.mark.parametrize("typed, suggested", [
    ("LACDR symposium", "did you mean lacdr-symposium?"),
    ("workshop", "did you mean career-workshop?"),
    ("career event", "did you mean career-event?"),
    ("colloqium", "did you mean colloquium?"),
])
def test_a_kind_nearly_right_gets_did_you_mean(sqlite_tracker, tmp_path, typed, suggested):
    typed_result = sqlite_tracker("activity", "add", typed, "--date", "2024-10-03",
                                  "--title", "x", expect=2)
    assert suggested in typed_result.output
    in_file = sqlite_tracker("activity", "import", write(tmp_path / "s.csv",
                                                          f"kind,date,title\n{typed},"
                                                          "2024-10-03,x\n"), expect=2)
    assert f"line 2: unknown activity kind '{typed}': {suggested}" in in_file.output


def test_submissions_with_their_approvals_are_reported_in_words(registered, tmp_path):
    day = (TODAY - timedelta(days=3)).isoformat()
    lines = "".join(f"{n},1,submitted,{day},\n{n},1,approved,{day},Good.\n"
                    for n in ("s1234567", "s7654321"))
    path = write(tmp_path / "d.csv", "student_number,assignment,status,date,feedback\n" + lines)
    result = registered("assignment", "--import", path)
    assert ("recorded 4 assignment decisions (2 submitted, 2 approved), 0 already recorded"
            in result.stdout)
    assert registered.json("history")[0]["summary"].startswith(
        "import assignment decisions from d.csv: 2 submitted, 2 approved")


def test_the_readme_says_what_update_does():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "--update" in readme.partition("## At the door")[0]
