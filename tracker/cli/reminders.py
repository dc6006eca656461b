"""``tracker remind``: tell students by e-mail what is still open, at risk or overdue."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.common import (
    DATE,
    YEAR,
    ZERO_OR_MORE,
    base_url_option,
    by_option,
    database,
    note,
    portal_address,
)

if TYPE_CHECKING:
    from tracker.service.mail import Posted
    from tracker.service.reminders import Outgoing, Skipped


@click.command(short_help="E-mail students what is still open, at risk or overdue.")
@click.argument("numbers", nargs=-1)
@click.option("--cohort", type=YEAR, metavar="YYYY",
              help="Only students who started in this calendar year.")
@click.option("--at-risk", "at_risk", is_flag=True,
              help="Only students with a required item at risk or overdue.")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Also write each message to DIR/<number>.eml.")
@click.option("--send", is_flag=True, help="Send them (without it nothing is sent or recorded).")
@click.option("--smtp", metavar="URL", envvar="TRACKER_SMTP_URL",
              help="smtp://[user@]host[:port] or smtps://...; the password only from "
                   "$TRACKER_SMTP_PASSWORD. Default: $TRACKER_SMTP_URL.")
@click.option("--from", "sender", metavar="ADDRESS", envvar="TRACKER_MAIL_FROM",
              help="The sender, e.g. \"AASCO coordinator <aasco@example.org>\". "
                   "Default: $TRACKER_MAIL_FROM.")
@click.option("--template", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Your own wording: a Jinja2 template that extends \"reminder.txt.j2\".")
@click.option("--skip-reminded-days", "skip_days", type=ZERO_OR_MORE, default=7,
              show_default=True, metavar="N",
              help="Skip students reminded in the last N days (0: skip nobody).")
@base_url_option
@by_option
def remind(numbers: tuple[str, ...], cohort: int | None, at_risk: bool, as_of: date | None,
           outbox: Path | None, send: bool, smtp: str | None, sender: str | None,
           template: Path | None, skip_days: int, base_url: str | None,
           by: str | None) -> None:
    """E-mail active students who have not completed what is still open, at risk or
    overdue, and what is coming up that counts: each their own message, with their
    progress page as its HTML part.

    Without --send nothing is sent and nothing is recorded: it shows who would get
    what (and with --outbox writes the messages to look at). With --send every
    delivery is recorded as it happens (see `tracker history`); students reminded in
    the last week are skipped, so the same command the next day reaches nobody twice.
    Messages are signed with --by, else the name in --from.

    \b
    Examples:
      tracker remind --cohort 2024 --outbox outbox --from "AASCO <aasco@example.org>"
      tracker remind --cohort 2024 --send --smtp smtp://aasco@smtp.example.org:587 \\
          --from "AASCO <aasco@example.org>"
    """
    from email.utils import parseaddr

    from tracker.cli.context import UserError
    from tracker.db.history import actor
    from tracker.pages.reminder import ReminderWriter
    from tracker.service.mail import NotSent
    from tracker.service.mail import route as mail_route
    from tracker.service.reminders import select, send_reminders

    route = mail_route(sender, send=send, smtp_url=smtp, outbox=outbox)
    # Signed by --by, else the sender's name ("AASCO coordinator"), else the login name.
    coordinator = by or (parseaddr(route.sender)[0] if route.sender else "") or actor(None)
    # a bad template: refused before all
    writer = ReminderWriter(template, coordinator, portal_address(base_url))
    db = database()
    selection = select(db, numbers, cohort=cohort, at_risk=at_risk, as_of=as_of,
                       skip_days=skip_days)

    def ready() -> None:  # every message worded: nothing has left yet
        verb = "reminding" if send else "would remind"
        click.echo(f"{verb} {len(selection.recipients)} student(s), as of "
                   f"{selection.as_of}:")
        _report_skipped(selection.skipped)

    told: list[str] = []  # previewed and written ones are listed at the end; sent ones as
    # they go (a line each, in words)

    def tell(posted: Posted[Outgoing]) -> None:
        recipient = posted.item.recipient
        who = f"{recipient.student}  {recipient.name} <{posted.letter.address}>"
        if posted.outcome == "sent":
            click.echo(f"  sent to {who}: {posted.letter.subject}")
        elif posted.outcome == "refused":
            click.echo(f"  refused {who}: {posted.why}", err=True)
        elif posted.outcome == "skipped":
            note(f"  skipped {recipient.student} {recipient.name}: {posted.why}")
        else:
            told.append(f"  {who}: {posted.letter.subject}")

    try:
        result = send_reminders(db, selection, writer, route, by=by, on_ready=ready,
                                on_done=tell)
    except NotSent as refused:  # an outbox written in parallel: nothing of it was written
        raise UserError(str(refused)) from None
    if told:
        click.echo("\n".join(told))
    if route.previews:
        note("nothing sent or recorded: --outbox DIR writes the messages, --send sends them")
        return
    if outbox is not None:
        note(f"wrote {result.written} message(s) to {outbox}")
    if not send:
        note("nothing sent or recorded: add --send to send them")
        return
    not_sent = result.total - result.sent - len(result.skipped)
    if result.failure is not None:
        click.echo(f"sent {result.sent} of {result.total} reminders, {not_sent} not sent: "
                   f"{result.failure}; what was sent is recorded, and the same command "
                   "again sends only the rest", err=True)
        raise SystemExit(1)
    if result.refused:
        click.echo(f"sent {result.sent} of {result.total} reminders; {len(result.refused)} "
                   "refused by the server (listed above, and recorded): correct their "
                   "address with `tracker student edit NUMBER --email ...`, then run the "
                   "same command again", err=True)
        raise SystemExit(1)
    click.echo(f"sent {result.sent} reminder(s); `tracker history` shows them")


def _report_skipped(skipped: tuple[Skipped, ...]) -> None:
    for item in skipped:
        note(f"  skipped {item.student} {item.name}: {item.why}")
