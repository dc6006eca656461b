"""``tracker progress`` (one student) and ``tracker report`` (one row per student)."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.common import DATE, chosen_format, database, emit, format_option, note

_REQUIREMENT_COLUMNS = ["id", "label", "kind", "required", "done", "remaining", "optional",
                        "status", "due"]


@click.command(short_help="What a student has done, what remains, what is coming up.")
@click.argument("number")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@format_option
def progress(number: str, as_of: date | None, fmt: str | None) -> None:
    """What student NUMBER has done, what remains, and upcoming activities that count.

    Example: tracker progress s1234567
    """
    from tracker.output import to_json
    from tracker.service.progress import student_progress

    result = student_progress(database(), number, as_of)
    fmt = chosen_format(fmt)
    if fmt == "json":
        click.echo(to_json(result))
        return
    if fmt == "csv":
        emit(result["requirements"], _REQUIREMENT_COLUMNS, fmt)
        return
    click.echo(f"{result['student']}  {result['name']}  started {result['start']}")
    click.echo(f"requirement set {result['requirement_set']}, rules version "
               f"{result['rules_version']}, as of {result['as_of']}")
    click.echo()
    rows = [{**r, "progress": f"{r['done']}/{r['required']}",
             "status": r["status"] + (" (optional)" if r["optional"] else "")}
            for r in result["requirements"]]
    emit(rows, ["label", "progress", "status", "due"], fmt)
    blocking = [r for r in result["requirements"]
                if r["status"] != "done" and not r["optional"]]
    click.echo()
    if result["complete"]:
        click.echo("COMPLETE: every required item is done.")
    else:
        click.echo(f"NOT COMPLETE: {len(blocking)} required item(s) open.")
    if result["upcoming"]:
        click.echo("\nUpcoming activities that count:")
        emit([{**a, "for": a["requirements"]} for a in result["upcoming"]],
             ["id", "date", "kind", "title", "for"], fmt)


@click.command(short_help="One row per student: complete or not, per requirement.")
@click.option("--cohort", type=click.IntRange(1900, 9999), metavar="YYYY",
              help="Only students who started in this calendar year.")
@click.option("--incomplete", is_flag=True, help="Only students who have not completed.")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@format_option
def report(cohort: int | None, incomplete: bool, as_of: date | None, fmt: str | None) -> None:
    """One row per student: complete or not, and what each requirement counts.

    Example: tracker report --cohort 2024 --incomplete
    """
    from tracker.service.progress import cohort_report

    result = cohort_report(database(), cohort, incomplete, as_of)
    fmt = chosen_format(fmt)
    for problem in result.problems:
        note(f"warning: {problem}")
    if fmt == "table":
        click.echo(f"rules version {result.rules_version}, as of {result.as_of}")
        emit(result.rows, ["student", "name", "start", "requirement_set", "complete", "open"],
             fmt)
        done = sum(1 for row in result.rows if row["complete"])
        click.echo(f"{len(result.rows)} student(s), {done} complete")
        return
    columns = ["student", "name", "start", "status", "requirement_set", "complete",
               *result.requirement_ids]
    rows = [{key: value for key, value in row.items() if key != "open"} for row in result.rows]
    emit(rows, columns, fmt)
