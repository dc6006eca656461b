"""``tracker remind``: tell students by e-mail what is still open, at risk or overdue."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.common import DATE, YEAR, ZERO_OR_MORE, by_option, database, note
from tracker.cli.context import UserError

if TYPE_CHECKING:
    from tracker.service.reminders import Recipient, Skipped


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
@by_option
def remind(numbers: tuple[str, ...], cohort: int | None, at_risk: bool, as_of: date | None,
           outbox: Path | None, send: bool, smtp: str | None, sender: str | None,
           template: Path | None, skip_days: int, by: str | None) -> None:
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

    from tracker.db.history import actor
    from tracker.mail.compose import Composer
    from tracker.mail.mime import MessageMaker, checked_sender
    from tracker.mail.smtp import Mailer, SmtpSettings
    from tracker.service.reminders import DeliveryLog, deliver, select

    composer = Composer(template)  # a bad template is refused before anything else
    mailer = Mailer(SmtpSettings.parse(smtp)) if send else None
    from_address = checked_sender(sender) if (send or outbox or sender) else None
    # Signed by --by, else the sender's name ("AASCO coordinator"), else the login name.
    coordinator = by or (parseaddr(from_address)[0] if from_address else "") or actor(None)
    db = database()
    selection = select(db, numbers, cohort=cohort, at_risk=at_risk, as_of=as_of,
                       skip_days=skip_days)
    if outbox is not None:
        _make_folder(outbox)
    verb = "reminding" if send else "would remind"
    click.echo(f"{verb} {len(selection.recipients)} student(s), as of {selection.as_of}:")
    _report_skipped(selection.skipped)

    told: list[str] = []  # written ones are listed at the end; sent ones as they go

    def tell(recipient: Recipient, subject: str) -> None:
        progress = recipient.progress
        line = (f"  {'sent to ' if send else ''}{progress.student}  {progress.name} "
                f"<{recipient.email}>: {subject}")
        if send:
            click.echo(line)
        else:
            told.append(line)

    if not send and outbox is None:
        for recipient in selection.recipients:
            wording = composer.compose(recipient.progress, recipient.email, coordinator)
            click.echo(f"  {recipient.progress.student}  {recipient.progress.name} "
                       f"<{recipient.email}>: {wording.subject}")
        note("nothing sent or recorded: --outbox DIR writes the messages, --send sends them")
        return
    if not selection.recipients:
        return
    assert from_address is not None
    result = deliver(selection, composer, MessageMaker(from_address), coordinator,
                     outbox=outbox, mailer=mailer, log=DeliveryLog(db, by) if send else None,
                     on_message=tell)
    if told:
        click.echo("\n".join(told))
    if outbox is not None:
        note(f"wrote {result.written} message(s) to {outbox}")
    if result.failure is not None:
        click.echo(f"sent {result.sent} of {result.total} reminders, "
                   f"{result.total - result.sent} not sent: {result.failure}; what was "
                   "sent is recorded, and the same command again sends only the rest",
                   err=True)
        raise SystemExit(1)
    if send:
        click.echo(f"sent {result.sent} reminder(s); `tracker history` shows them")
    else:
        note("nothing sent or recorded: add --send to send them")


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--outbox {folder} is a file, not a folder")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)  # its messages are personal data
    except FileNotFoundError:
        raise UserError(f"cannot make --outbox {folder}: the folder {folder.parent} "
                        "does not exist") from None
    except OSError as error:
        raise UserError(f"cannot make --outbox {folder}: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write to --outbox {folder}")


def _report_skipped(skipped: tuple[Skipped, ...]) -> None:
    for item in skipped:
        note(f"  skipped {item.student} {item.name}: {item.why}")
