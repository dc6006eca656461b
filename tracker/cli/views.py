"""How results look: each function turns a service's result into one
:class:`~tracker.output.Document`, which :func:`~tracker.output.render` prints in any
format. Nothing here reads the database."""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from typing import Any

from tracker.output import Document, Table, text
from tracker.service.overview import CohortOverview
from tracker.service.progress import CohortReport, ReportRow, StudentProgress
from tracker.service.rules import RulesInForce
from tracker.vocabulary import RequirementStatus
from tracker.wording import STATUS_WORDS, in_words

REQUIREMENT_COLUMNS = ["id", "label", "kind", "required", "done", "remaining", "optional",
                       "status", "due", "scheduled"]


def record_document(record: Any) -> Document:
    """One record: a JSON object, one CSV row, or ``name  value`` lines."""
    names = [f.name for f in dataclasses.fields(record)]
    width = max(len(name) for name in names)
    lines = [f"{name.replace('_', ' '):<{width}}  {text(getattr(record, name))}".rstrip()
             for name in names]
    return Document(record, Table([record], names), lines)


def progress_document(result: StudentProgress) -> Document:
    width = shutil.get_terminal_size((80, 24)).columns
    label_room = max(width - 21, 30)
    parts: list[str | Table] = [
        f"{result.student}  {result.name}  started {result.start}",
        f"requirement set {result.requirement_set}, rules version {result.rules_version}, "
        f"as of {result.as_of}",
        "",
    ]
    for r in result.requirements:
        label = r.label + (" (optional)" if r.optional else "")
        lines = textwrap.wrap(label, label_room) or [""]
        progress = f"{r.done}/{r.required}"
        parts.append(f"  {STATUS_WORDS[r.status]:<8} {progress:>7}  {lines[0]}")
        parts += [f"{'':19}{line}" for line in lines[1:]]
        why = in_words(r)
        if why:
            parts += [f"{'':19}{line}" for line in textwrap.wrap(why, label_room)]
    blocking = [r for r in result.requirements if r.status != "done" and not r.optional]
    parts += ["", "COMPLETE: every required item is done." if result.complete
              else f"NOT COMPLETE: {len(blocking)} required item(s) open."]
    if result.upcoming:
        parts += ["", "Upcoming activities that count:",
                  Table([{"id": a.id, "date": a.date, "kind": a.kind, "title": a.title,
                          "for": a.requirements} for a in result.upcoming],
                        ["id", "date", "kind", "title", "for"])]
    return Document(result, Table(result.requirements, REQUIREMENT_COLUMNS), parts,
                    lambda: _student_page(result))


def _student_page(result: StudentProgress) -> str:
    from tracker.pages.student import student_page

    return student_page(result)


def attention(row: ReportRow) -> str:
    """What a coordinator should look at for one student, in words."""
    said = [f"{r.requirement.id} {STATUS_WORDS[r.status]}" for r in row.requirements
            if r.status in (RequirementStatus.AT_RISK, RequirementStatus.OVERDUE)
            and not r.requirement.optional]
    still_open = sum(1 for r in row.requirements
                     if r.status == RequirementStatus.OPEN and r.blocking)
    if still_open:
        said.append(f"{still_open} open")
    return "; ".join(said)


def report_document(report: CohortReport) -> Document:
    rows: list[dict[str, Any]] = []
    for row in report.rows:
        line: dict[str, Any] = {"student": row.student, "name": row.name, "start": row.start,
                                "status": row.status, "requirement_set": row.requirement_set,
                                "complete": row.complete}
        for result in row.requirements:
            line[result.requirement.id] = result.done
        rows.append(line)
    complete = sum(1 for row in report.rows if row.complete)
    people = [{**line, "attention": attention(row)}
              for line, row in zip(rows, report.rows, strict=True)]
    parts: list[str | Table] = [
        f"rules version {report.rules_version}, as of {report.as_of}",
        Table(people, ["student", "name", "start", "complete", "attention"]),
        f"{len(report.rows)} student(s), {complete} complete",
    ]
    columns = ["student", "name", "start", "status", "requirement_set", "complete",
               *report.requirement_ids]
    return Document(rows, Table(rows, columns), parts)


def overview_document(overview: CohortOverview) -> Document:
    """The report, with the cohort page for --format html."""
    document = report_document(overview.report)

    def page() -> str:
        from tracker.pages.cohort import cohort_page

        return cohort_page(overview)

    return dataclasses.replace(document, page=page)


def rules_document(in_force: RulesInForce) -> Document:
    rows = []
    for requirement_set in in_force.book.sets:
        for requirement in requirement_set.requirements:
            rows.append({
                "set": requirement_set.id, "starts": requirement_set.describe_range(),
                "requirement": requirement.id, "kind": requirement.type,
                "label": requirement.label, "min": getattr(requirement, "minimum", 1),
                "year": getattr(requirement, "year", None),
                "due_months": getattr(requirement, "due_months", None),
                "optional": requirement.optional})
    columns = ["set", "requirement", "kind", "min", "year", "optional", "label"]
    heading = (f"rules version {in_force.version}: {in_force.book.programme} (loaded "
               f"{in_force.loaded_at:%Y-%m-%d} by {in_force.loaded_by} from {in_force.source})")
    return Document(rows, Table(rows, columns), [heading, Table(rows, columns)])
