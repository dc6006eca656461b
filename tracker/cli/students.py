"""``tracker student``: register, list and show students; individual programmes."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.characters import shown
from tracker.cli.common import (
    MONTH,
    SHEET_FORMATS,
    YEAR,
    CommandGroup,
    by_option,
    database,
    dry_run_option,
    emit,
    file_progress,
    format_option,
    formats_option,
    import_file_argument,
    output_option,
    report_import,
    write_file,
)
from tracker.cli.context import UserError
from tracker.errors import TrackerError
from tracker.months import Month, read_month
from tracker.vocabulary import StudentStatus, words

_COLUMNS = ["student", "name", "start", "status", "email", "specialisation"]


@click.group(cls=CommandGroup)
def student() -> None:
    """Register students and look them up."""


@student.command()
@click.argument("number")
@click.option("--name", required=True, help="Full name.")
@click.option("--start", type=MONTH, required=True, help="Start month, e.g. 2024-09.")
@click.option("--email", help="E-mail address.")
@click.option("--specialisation", help="Specialisation (free text).")
@click.option("--re-register", is_flag=True,
              help="Register a student whose data was erased (`student forget`) again.")
@by_option
def add(number: str, name: str, start: Month, email: str | None, specialisation: str | None,
        re_register: bool, by: str | None) -> None:
    """Register student NUMBER (Leiden form s1234567, any case).

    Example: tracker student add s1234567 --name "Ada Jansen" --start 2024-09
    """
    from tracker.service.students import add_student

    written = add_student(database(), number, name, start, email, specialisation, by,
                          re_register)
    row = written.record
    if written.changed:
        click.echo(f"registered {row.student} {row.name}, started {row.start}")
    else:
        click.echo(f"{row.student} is already registered with these details: nothing changed")


@student.command()
@click.argument("number")
@click.option("--name", help="Correct the name.")
@click.option("--email", help="Correct the e-mail address ('' removes it).")
@click.option("--specialisation", help="Correct the specialisation ('' removes it).")
@click.option("--start", type=MONTH, help="Correct the start month, e.g. 2024-09.")
@by_option
def edit(number: str, name: str | None, email: str | None, specialisation: str | None,
         start: Month | None, by: str | None) -> None:
    """Correct student NUMBER's details; only the options given change.

    Example: tracker student edit s1234567 --email ada.jansen@example.org
    """
    from tracker.service.students import edit_student

    written = edit_student(database(), number, name=name, email=email,
                           specialisation=specialisation, start=start, by=by)
    row = written.record
    if written.changed:
        click.echo(f"updated {row.student} {row.name}, started {row.start}")
    else:
        click.echo(f"{row.student} has these details already: nothing changed")


@student.command("list")
@click.option("--cohort", type=YEAR, metavar="YYYY",
              help="Only students who started in this calendar year.")
@formats_option(SHEET_FORMATS)
@output_option
def list_(cohort: int | None, fmt: str | None, output: Path | None) -> None:
    """List students, oldest cohort first.

    Example: tracker student list --cohort 2024 --format csv
    """
    from tracker.output import listing
    from tracker.service.students import list_students

    emit(listing(list_students(database(), cohort), _COLUMNS), fmt, output)


@student.command()
@click.argument("number")
@format_option
def show(number: str, fmt: str | None) -> None:
    """Show one student's record and which requirement set applies.

    Example: tracker student show s1234567
    """
    from tracker.cli.views import record_document
    from tracker.service.students import show_student

    emit(record_document(show_student(database(), number)), fmt)


@student.command()
@click.argument("number")
@click.argument("set_id", metavar="SET")
@click.option("--reason", help="What was agreed with the study advisor (required).")
@by_option
def override(number: str, set_id: str, reason: str | None, by: str | None) -> None:
    """Put student NUMBER on requirement SET (an individual programme).

    SET 'none' goes back to the set chosen by start month. The override and its
    reason are kept in the history.

    Example: tracker student override s1234567 aasco --reason "transferred in 2024"
    """
    from tracker.service.students import set_override

    clear = set_id.lower() == "none"
    written = set_override(database(), number, None if clear else set_id, reason, by)
    row = written.record
    if not written.changed:
        click.echo(f"{row.student} already follows that: nothing changed")
    elif clear:
        click.echo(f"{row.student} follows the requirement set of their start month again")
    else:
        click.echo(f"{row.student} now follows requirement set {set_id}")


@student.command()
@click.argument("number")
@click.argument("status", type=click.Choice(words(StudentStatus)))
@by_option
def status(number: str, status: str, by: str | None) -> None:
    """Mark student NUMBER active, graduated or withdrawn.

    Example: tracker student status s1234567 graduated
    """
    from tracker.service.students import set_status

    written = set_status(database(), number, StudentStatus(status), by)
    click.echo(f"{written.record.student} is {status}"
               + ("" if written.changed else " already: nothing changed"))


@student.command()
@click.argument("number")
@click.argument("requirement")
@click.option("--reason", help="Why: the make-up work credited, or the exam board's "
                               "decision (required).")
@by_option
def waive(number: str, requirement: str, reason: str | None, by: str | None) -> None:
    """Mark REQUIREMENT met for student NUMBER (a waiver), with the reason.

    REQUIREMENT is an id of the student's requirement set (`tracker rules show`). A
    waived requirement counts as met for completion, and every output says "waived"
    with the reason. The history keeps who waived it, when and why; `tracker undo`
    reverts it, `tracker student unwaive` ends it.

    Example: tracker student waive s1234567 career-symposium --reason "exam board
    2025-14: make-up essay approved"
    """
    from tracker.service.waivers import waive as waive_requirement

    written = waive_requirement(database(), number, requirement, reason, by)
    row = written.record
    if written.changed:
        click.echo(f"{row.student}: {row.requirement} ({row.label}) waived: {row.reason}")
    else:
        click.echo(f"{row.student}: {row.requirement} is waived already (by {row.waived_by} "
                   f"on {row.waived_at.astimezone():%Y-%m-%d}: {row.reason}): nothing "
                   "changed")


@student.command()
@click.argument("number")
@click.argument("requirement")
@by_option
def unwaive(number: str, requirement: str, by: str | None) -> None:
    """End the waiver of REQUIREMENT for student NUMBER: it counts as its rule says.

    Example: tracker student unwaive s1234567 career-symposium
    """
    from tracker.service.waivers import unwaive as end_waiver

    written = end_waiver(database(), number, requirement, by)
    if written.record is None:
        click.echo(f"{requirement} is not waived for {number}: nothing changed")
    else:
        click.echo(f"{written.record.student}: the waiver of {written.record.requirement} "
                   "ended; it counts as its rule says again")


@student.command("import")
@import_file_argument
@click.option("--start", type=MONTH,
              help="Start month for the students of the file whose line gives none "
                   "(a Brightspace export has no start column).")
@click.option("--section-start", "section_starts", multiple=True, metavar="SECTION=YYYY-MM",
              help="The start month of the students in one section (the file's section "
                   "column), e.g. --section-start 'AASCO 2024-09=2024-09'; repeat it for "
                   "each section.")
@click.option("--update", is_flag=True,
              help="Apply the file's details to students registered with other details.")
@click.option("--re-register", is_flag=True,
              help="Register again the students of the file whose data was erased.")
@dry_run_option
@by_option
def import_(file: Path, start: Month | None, section_starts: tuple[str, ...], update: bool,
            re_register: bool, dry_run: bool, by: str | None) -> None:
    """Register the students of a class list FILE (CSV, or an Excel workbook .xlsx).

    \b
    Two formats, told apart by the header:
      student_number,name,email,start[,specialisation]
      Brightspace's user export: OrgDefinedId,Username,Last Name,First Name,Email,
        End-of-Line Indicator
    Headers in English or Dutch (studentnummer, naam, e-mail, startmaand); a column
    the tracker does not read is named in a warning. Start months as 2024-09, sep-24,
    okt 2024 or 1-9-2024; where a line has none, its section's (--section-start) or
    the file's (--start). UTF-8 with or without BOM, ',' or ';' between fields. All or
    nothing: any bad line is reported with its number and nothing is written. Students
    already registered with the same details are left alone; with other details they
    are refused unless you say --update.

    Example: tracker student import classlist.csv --start 2025-09
    """
    from tracker.service.imports import import_students

    with file_progress(file, "students") as progress:
        summary = import_students(database(), file, start=start, update=update,
                                  dry_run=dry_run, by=by, on_progress=progress,
                                  re_register=re_register,
                                  section_starts=_section_months(section_starts))
    report_import(summary)


def _section_months(given: tuple[str, ...]) -> dict[str, Month]:
    """``--section-start 'AASCO 2024-09=2024-09'``, each, as section -> month."""
    months: dict[str, Month] = {}
    for pair in given:
        section, equals, month = pair.rpartition("=")
        if not equals or not section.strip():
            raise UserError(f"--section-start '{shown(pair)}': give SECTION=YYYY-MM, e.g. "
                            "--section-start 'AASCO 2024-09=2024-09'")
        try:
            months[section.strip()] = read_month(month, what="--section-start")
        except TrackerError as error:
            raise UserError(str(error)) from None
    return months


@student.command("export")
@click.argument("number")
@output_option
def export_(number: str, output: Path | None) -> None:
    """Everything held about student NUMBER, as JSON (for a subject-access request).

    Example: tracker student export s1234567 -o s1234567.json
    """
    from tracker.output import to_json
    from tracker.service.privacy import export_student

    text = to_json(export_student(database(), number)) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)
        click.echo(f"wrote {output}", err=True)


@student.command()
@click.argument("number")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
@by_option
def forget(number: str, yes: bool, by: str | None) -> None:
    """Erase student NUMBER's personal data everywhere, history included.

    Name, number, e-mail, notes and feedback are erased; what stays is anonymous
    (attendance counts of activities stay right). The history records that data was
    erased, not whose. This cannot be undone: export first if it must be kept.

    Example: tracker student forget s1234567 --yes
    """
    from tracker.service.privacy import forget_student

    if not yes:
        raise UserError(f"this erases {number}'s personal data for good: add --yes to confirm")
    forgotten = forget_student(database(), number, by)
    click.echo("erased the student's personal data")
    if not forgotten.traces_cleared:
        click.echo("warning: another program has the database open, so the erased data "
                   "stays in the database's log file until the last program using the "
                   "database closes it; close it (a kiosk, a portal, a spreadsheet "
                   "connection) to finish the erasure", err=True)
