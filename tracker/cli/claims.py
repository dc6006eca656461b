"""``tracker claim``: the queue of claims of outside activities, and their decisions."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.common import (
    LISTING_FORMATS,
    ONE_OR_MORE,
    OUTPUT_FILE,
    CommandGroup,
    by_option,
    database,
    emit,
    formats_option,
    note,
    write_file,
)

if TYPE_CHECKING:
    from tracker.service.claims import ClaimView, Decision

CLAIM_ID = ONE_OR_MORE
FROM_ENV, BASE_ENV = "TRACKER_MAIL_FROM", "TRACKER_BASE_URL"  # as `serve` and `remind` read
COLUMNS = ["id", "student", "kind", "date", "title", "organiser", "status", "submitted_at",
           "decided_at", "decided_by", "reason", "activity", "evidence"]


@click.group(cls=CommandGroup,
             short_help="Claims of outside activities: the queue, approve, reject.")
def claim() -> None:
    """Claims students make on the portal (/claims) of activities done elsewhere, each
    with its evidence. Approving one records the attendance (source `claim`); both
    decisions are in the history, `tracker undo` makes the claim pending again, and
    with mail set up (TRACKER_SMTP_URL, TRACKER_MAIL_FROM) the student is told.

    \b
    Examples:
      tracker claim list --pending
      tracker claim show 12
      tracker claim evidence 12 -o certificate.pdf
      tracker claim approve 12 --note "Thanks for the certificate"
      tracker claim reject 13 --reason "The certificate names someone else"
    """


@claim.command(name="list", short_help="List the claims, oldest first.")
@click.option("--pending", is_flag=True, help="Only those waiting for a decision.")
@formats_option(LISTING_FORMATS)
def list_(pending: bool, fmt: str | None) -> None:
    """List the claims, oldest first (the queue's order).

    Example: tracker claim list --pending --format json
    """
    from tracker.output import listing
    from tracker.service.claims import list_claims

    found = list_claims(database(), pending_only=pending)
    emit(listing(found, COLUMNS), fmt)
    if not found:
        note("no claims wait for a decision" if pending else "no claims yet")


@claim.command(short_help="Show one claim.")
@click.argument("claim_id", metavar="ID", type=CLAIM_ID)
def show(claim_id: int) -> None:
    """Show claim ID: what the student says they did, and where it stands.

    Example: tracker claim show 12
    """
    from tracker.service.claims import show_claim

    click.echo(_described(show_claim(database(), claim_id)))


def _described(found: ClaimView) -> str:
    lines = [f"claim #{found.id} by {found.student} ({found.name}): {found.status}",
             f"  {found.kind} on {found.date}: {found.title}"]
    if found.organiser:
        lines.append(f"  organised by {found.organiser}")
    lines.append(f"  submitted {found.submitted_at.astimezone():%Y-%m-%d %H:%M}")
    if found.description:
        lines += ["  what they did:"] + [f"    {line}" for line in found.description.split("\n")]
    if found.evidence:
        lines.append(f"  evidence: {found.evidence.name} ({found.evidence.type}, "
                     f"{found.evidence.bytes:,} bytes): `tracker claim evidence {found.id} "
                     "-o FILE`")
    else:
        lines.append("  no evidence")
    if found.decided_at:
        lines.append(f"  {found.status} {found.decided_at.astimezone():%Y-%m-%d %H:%M} by "
                     f"{found.decided_by}" + (f": {found.reason}" if found.reason else ""))
    if found.activity:
        lines.append(f"  recorded at activity #{found.activity}")
    return "\n".join(lines)


@claim.command(short_help="Approve a claim: its attendance is recorded.")
@click.argument("claim_id", metavar="ID", type=CLAIM_ID)
@click.option("--note", help="A note the student reads with the approval.")
@by_option
def approve(claim_id: int, note: str | None, by: str | None) -> None:
    """Approve claim ID: the student is recorded as attending the activity of its kind,
    date and title (the one scheduled, or a new one), with source `claim`.

    Example: tracker claim approve 12 --note "Thanks for the certificate"
    """
    from tracker.service.claims import approve as approve_claim

    decision = approve_claim(database(), claim_id, note=note, by=by)
    found = decision.claim
    if _already(decision):
        return
    at = _at(decision) + (" (scheduled now)" if decision.new_activity else "")
    if decision.recorded == "unchanged":
        click.echo(f"approved claim #{found.id}: {found.student} was recorded "
                   f"as attending {at} already, so no attendance changed")
    else:
        was = " (was excused)" if decision.recorded == "updated" else ""
        click.echo(f"approved claim #{found.id}: {found.student} attended "
                   f"{at}{was}")
    _tell(decision)


def _at(decision: Decision) -> str:
    """The activity an approval recorded: ``activity #3 CV clinic on 2024-11-05``."""
    recorded = decision.activity
    if recorded is None:
        return f"activity #{decision.claim.activity}"
    return f"activity #{recorded.id} {recorded.title} on {recorded.held_on}"


@claim.command(short_help="Reject a claim, with the reason the student reads.")
@click.argument("claim_id", metavar="ID", type=CLAIM_ID)
@click.option("--reason", help="Why (required): the student reads it.")
@by_option
def reject(claim_id: int, reason: str | None, by: str | None) -> None:
    """Reject claim ID; --reason is required, and the student reads it on /claims.

    Example: tracker claim reject 13 --reason "The certificate names someone else"
    """
    from tracker.service.claims import reject as reject_claim

    decision = reject_claim(database(), claim_id, reason=reason, by=by)
    found = decision.claim
    if _already(decision):
        return
    click.echo(f"rejected claim #{found.id} of {found.student}")
    _tell(decision)


@claim.command(short_help="Write a claim's evidence to a file.")
@click.argument("claim_id", metavar="ID", type=CLAIM_ID)
@click.option("--output", "-o", type=OUTPUT_FILE, required=True,
              help="The file to write (never the database or a file beside it).")
def evidence(claim_id: int, output: Path) -> None:
    """Write the evidence of claim ID to a file, as the student sent it.

    Example: tracker claim evidence 12 -o certificate.pdf
    """
    from tracker.service.claims import evidence_of

    found = evidence_of(database(), claim_id)
    write_file(output, found.content)
    note(f"wrote {output}: {found.type}, {len(found.content):,} bytes "
         f"(sent as {found.name})")


def _already(decision: Decision) -> bool:
    """Say so when the claim was decided so already (nothing changed)."""
    found = decision.claim
    if not decision.changed:
        at = f", at {_at(decision)}" if found.activity is not None else ""
        click.echo(f"claim #{found.id} was {found.status} already "
                   f"({found.decided_at:%Y-%m-%d} by {found.decided_by}{at}): nothing changed")
    return not decision.changed


def _tell(decision: Decision) -> None:
    """Mail the student, when mail is set up; say what happened either way."""
    from tracker.mail.smtp import URL_ENV
    from tracker.pages.claims import decision_letter
    from tracker.service.mail import NotSent, post_one, route

    if not os.environ.get(URL_ENV):
        note(f"the student is not told by mail: mail is not set up ({URL_ENV}, {FROM_ENV}); "
             "they see the decision on /claims")
        return
    base = os.environ.get(BASE_ENV)
    letter = decision_letter(decision, f"{base.rstrip('/')}/claims" if base else None)
    if letter is None:
        note("the student has no e-mail address on record: they see it on /claims")
        return
    try:
        post_one(route(os.environ.get(FROM_ENV), send=True,
                       smtp_url=os.environ[URL_ENV]), letter)
    except NotSent as why:
        note(f"the student could not be told by mail: {why}")
    else:
        note(f"told {decision.claim.student} by mail")
