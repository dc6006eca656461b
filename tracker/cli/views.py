"""How results look: each function turns a service's result into one
:class:`~tracker.output.Document`, which :func:`~tracker.output.render` prints in any
format. Nothing here reads the database."""

from __future__ import annotations

import dataclasses
import shutil
import textwrap
from typing import TYPE_CHECKING, Any

from tracker.output import Document, Table, text
from tracker.standing import STATUS_WORDS, to_do_in_words
from tracker.vocabulary import RequirementStatus

if TYPE_CHECKING:  # each command imports only what it shows
    from tracker.service.activities import ActivityDetails
    from tracker.service.overview import CohortOverview
    from tracker.service.report import CohortReport
    from tracker.service.rules import RulesInForce
    from tracker.standing import StudentProgress

REQUIREMENT_COLUMNS = ["id", "label", "kind", "required", "done", "remaining", "optional",
                       "status", "due", "scheduled", "assignment_status", "waived_reason"]


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
    activities = {a.id: a for a in result.activities}
    inactive = "" if result.active else f"  ({result.status})"
    parts: list[str | Table] = [
        f"{result.student}  {result.name}  started {result.start}{inactive}",
        f"requirement set {result.requirement_set}, rules version {result.rules_version}, "
        f"as of {result.as_of}",
        "",
    ]
    for r in result.requirements:
        label = r.label + (" (optional)" if r.optional and not any(
            word in r.label.lower() for word in ("optional", "voluntary")) else "")
        lines = textwrap.wrap(label, label_room) or [""]
        progress = f"{r.done}/{r.required}"
        parts.append(f"  {STATUS_WORDS[r.status]:<8} {progress:>7}  {lines[0]}")
        parts += [f"{'':19}{line}" for line in lines[1:]]
        said = [r.sentence, r.pending_words]
        if r.counted:
            said.append("counted: " + "; ".join(
                f"{activities[i].title} ({activities[i].date})" for i in r.counted))
        said += [f"not counted: {activities[n.activity].title} "
                 f"({activities[n.activity].date}): {n.why}" for n in r.not_counted]
        for sentence in filter(None, said):
            parts += [f"{'':19}{line}" for line in textwrap.wrap(sentence, label_room)]
    verdict = "COMPLETE" if result.complete else "NOT COMPLETE"
    parts += ["", f"{verdict}: {to_do_in_words(result)}."]
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


def report_document(report: CohortReport, about: str = "") -> Document:
    """One row per student: their standing, the numbers per requirement, and in words
    what needs a look (``attention``), in every format."""
    rows: list[dict[str, Any]] = []
    for row in report.rows:
        line: dict[str, Any] = {"student": row.student, "name": row.name, "start": row.start,
                                "status": row.status, "requirement_set": row.requirement_set,
                                "complete": row.complete, "standing": row.standing}
        for result in row.requirements:
            line[result.id] = result.done
        line["waived"] = ", ".join(r.id for r in row.requirements
                                   if r.status == RequirementStatus.WAIVED)
        line["attention"] = row.attention
        rows.append(line)

    complete = sum(1 for row in report.rows if row.complete)
    shown = ["student", "name", "start", "standing", "attention"]
    if any(not row.active for row in report.rows):
        shown.insert(3, "status")
    if any(line["waived"] for line in rows):
        shown.insert(-1, "waived")
    text: list[str | Table] = [  # a person's table: the words, not every number
        f"rules version {report.rules_version}, as of {report.as_of}"
        + (f"; {about}" if about else ""),
        Table(rows, shown),
        f"{len(report.rows)} student(s), {complete} complete"]
    if report.pending_claims:
        text.append(f"{report.pending_claims} claim(s) wait for a decision: "
                    "`tracker claim list --pending`")
    columns = ["student", "name", "start", "status", "requirement_set", "complete",
               "standing", *report.requirement_ids, "waived", "attention"]
    return Document(rows, Table(rows, columns), text,
                    title=f"report as of {report.as_of}, rules version "
                          f"{report.rules_version}" + (f"; {about}" if about else ""),
                    sheet=f"report {report.as_of} rules v{report.rules_version}")


def overview_document(overview: CohortOverview) -> Document:
    """The report, with the cohort page for --format html."""
    document = report_document(overview.report, overview.selection.in_words())

    def page() -> str:
        from tracker.pages.cohort import cohort_page

        return cohort_page(overview)

    return dataclasses.replace(document, page=page)


def rules_document(in_force: RulesInForce) -> Document:
    """Every requirement of every set: what counts, how many, by when; in the table,
    set by set, in full."""
    from tracker.service.rules import describe_rules

    lines = describe_rules(in_force)
    width = shutil.get_terminal_size((80, 24)).columns
    parts: list[str | Table] = [
        f"rules version {in_force.version}: {in_force.book.programme} (loaded "
        f"{in_force.loaded_at:%Y-%m-%d} by {in_force.loaded_by} from {in_force.source})"]
    for set_id in dict.fromkeys(line.set for line in lines):
        of_set = [line for line in lines if line.set == set_id]
        first = of_set[0]
        who = " and ".join(filter(None, [
            f"from {first.started_from}" if first.started_from else "",
            f"before {first.started_before}" if first.started_before else ""])) or "any time"
        whom = ("  an individual programme: only for students put on it with `tracker "
                "student override`" if first.override_only
                else f"  for students who started {who}")
        parts += ["", f"{set_id}: {first.set_label}", whom]
        for line in of_set:
            unit = " points" if line.kind == "points" else ""
            what = (line.counts if line.kind == "assignment"
                    else f"at least {line.min}{unit} of {line.counts}")
            if line.caps:
                what += f" ({line.caps})"
            said = (f"{line.requirement}{' (optional)' if line.optional else ''}: {what}; "
                    f"by the {line.deadline}")
            parts += textwrap.wrap(said, width - 2, initial_indent="  ",
                                   subsequent_indent="      ")
    claimable = sorted(in_force.book.claimable)
    parts += ["", "claimable (a student may claim one done elsewhere, on /claims): "
              + (", ".join(claimable) if claimable else "none")]
    return Document(lines, Table(lines, RULE_COLUMNS), parts)


RULE_COLUMNS = ["set", "starts", "requirement", "label", "kind", "min", "counts", "caps",
                "year", "due_months", "deadline", "optional", "claimable",
                "override_only"]


def activity_document(details: ActivityDetails) -> Document:
    """``activity show``: the activity, then its attendees (what CSV writes)."""
    attended = sum(a.status == "attended" for a in details.attendees)
    parts: list[str | Table] = [
        f"#{details.id} {details.kind} on {details.date}: {details.title}",
    ]
    if details.location or details.organiser:
        parts.append(", ".join(x for x in (details.location, details.organiser) if x))
    parts += [f"{attended} attended, {len(details.attendees) - attended} excused", "",
              Table(details.attendees, ATTENDEE_COLUMNS)]
    return Document(details, Table(details.attendees, ATTENDEE_COLUMNS), parts,
                    title=f"activity #{details.id}, {details.kind} on {details.date}: "
                          f"{details.title}",
                    sheet=f"#{details.id} {details.date} {details.title}")


ATTENDEE_COLUMNS = ["student", "name", "status", "note"]
