"""How results look: each function turns a service's result into one
:class:`~tracker.output.Document`, which :func:`~tracker.output.render` prints in any
format. Nothing here reads the database."""

from __future__ import annotations

import dataclasses
from typing import Any

from tracker.output import Document, Table, text
from tracker.service.progress import CohortReport, StudentProgress
from tracker.service.rules import RulesInForce

REQUIREMENT_COLUMNS = ["id", "label", "kind", "required", "done", "remaining", "optional",
                       "status", "due"]


def record_document(record: Any) -> Document:
    """One record: a JSON object, one CSV row, or ``name  value`` lines."""
    names = [f.name for f in dataclasses.fields(record)]
    width = max(len(name) for name in names)
    lines = [f"{name.replace('_', ' '):<{width}}  {text(getattr(record, name))}".rstrip()
             for name in names]
    return Document(record, Table([record], names), lines)


def progress_document(result: StudentProgress) -> Document:
    rows = [{"label": r.label, "progress": f"{r.done}/{r.required}",
             "status": r.status + (" (optional)" if r.optional else ""), "due": r.due}
            for r in result.requirements]
    blocking = [r for r in result.requirements if r.status != "done" and not r.optional]
    parts: list[str | Table] = [
        f"{result.student}  {result.name}  started {result.start}",
        f"requirement set {result.requirement_set}, rules version {result.rules_version}, "
        f"as of {result.as_of}",
        "",
        Table(rows, ["label", "progress", "status", "due"]),
        "",
        "COMPLETE: every required item is done." if result.complete
        else f"NOT COMPLETE: {len(blocking)} required item(s) open.",
    ]
    if result.upcoming:
        parts += ["", "Upcoming activities that count:",
                  Table([{"id": a.id, "date": a.date, "kind": a.kind, "title": a.title,
                          "for": a.requirements} for a in result.upcoming],
                        ["id", "date", "kind", "title", "for"])]
    return Document(result, Table(result.requirements, REQUIREMENT_COLUMNS), parts)


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
    people = [{**line, "open": row.open} for line, row in zip(rows, report.rows, strict=True)]
    parts: list[str | Table] = [
        f"rules version {report.rules_version}, as of {report.as_of}",
        Table(people, ["student", "name", "start", "requirement_set", "complete", "open"]),
        f"{len(report.rows)} student(s), {complete} complete",
    ]
    columns = ["student", "name", "start", "status", "requirement_set", "complete",
               *report.requirement_ids]
    return Document(rows, Table(rows, columns), parts)


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
