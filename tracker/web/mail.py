"""How a sign-in mail leaves: its wording, and the postbox that delivers it.

Until the one mail path of the tracker (branch ``verdict``) offers a call for a single
message, this is the portal's own small interface over ``tracker.mail``'s primitives:
the same settings as ``tracker remind`` (``TRACKER_SMTP_URL``, ``TRACKER_SMTP_PASSWORD``,
``TRACKER_MAIL_FROM``), or an outbox folder of ``.eml`` files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from tracker.mail.smtp import URL_ENV, DeliveryFailed, Mailer, SmtpSettings
from tracker.service.portal.signin import LINK_LIFETIME, SignInMail
from tracker.web.site import Site

FROM_ENV = "TRACKER_MAIL_FROM"


class Postbox(Protocol):
    """Delivers one message, or raises :class:`DeliveryFailed` saying why."""

    @property
    def description(self) -> str: ...  # how mail leaves, for `serve` to say on start

    @property
    def sender(self) -> str: ...

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None: ...


@dataclass
class SmtpPostbox:
    settings: SmtpSettings
    sender: str

    @property
    def description(self) -> str:
        return f"by SMTP through {self.settings.where}, from {self.sender}"

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None:
        del name
        with Mailer(self.settings) as mailer:
            mailer.send(parseaddr(self.sender)[1], recipient, message.as_bytes())


@dataclass
class OutboxPostbox:
    folder: Path
    sender: str = "tracker <tracker@localhost>"

    @property
    def description(self) -> str:
        return f"written to {self.folder} as .eml files (nothing is sent)"

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None:
        from tracker.private_files import write_private

        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_private(self.folder / f"{name}.eml", message.as_bytes())
        except OSError as error:
            raise DeliveryFailed(f"cannot write to {self.folder}: {error.strerror}") from None


@dataclass
class NoPostbox:
    """Mail is not set up: every sign-in mail fails (and the log says so)."""

    why: str
    sender: str = "tracker <tracker@localhost>"

    @property
    def description(self) -> str:
        return f"NOT SET UP: {self.why}; nobody can sign in by mail"

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None:
        raise DeliveryFailed(f"mail is not set up ({self.why})")


@dataclass
class MemoryPostbox:
    """Keeps what it is given (for a demo and for tests)."""

    sender: str = "tracker <tracker@localhost>"
    messages: list[EmailMessage] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "kept in memory (nothing is sent)"

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None:
        self.messages.append(message)


def postbox_from_environment(outbox: Path | None = None) -> Postbox:
    """``--outbox DIR``, else SMTP from the environment, else none."""
    from tracker.errors import InvalidInput
    from tracker.mail.mime import checked_sender

    sender = os.environ.get(FROM_ENV)
    if outbox is not None:
        return OutboxPostbox(outbox, checked_sender(sender) if sender else
                             OutboxPostbox.sender)
    if not os.environ.get(URL_ENV):
        return NoPostbox(f"set {URL_ENV} and {FROM_ENV}, or give --outbox DIR")
    try:
        return SmtpPostbox(SmtpSettings.parse(os.environ[URL_ENV]), checked_sender(sender))
    except InvalidInput as error:
        return NoPostbox(str(error))


def sign_in_message(mail: SignInMail, site: Site, sender: str) -> EmailMessage:
    """The mail: the link, the code to type instead, how long both work."""
    from tracker.service.portal.secrets import shown_code

    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((mail.name, mail.address))
    message["Subject"] = "Your sign-in link for the career-orientation tracker"
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("tracker-signin",
                                       domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    second = ("\nYou will also need the 6-digit code from your authenticator app.\n"
              if mail.coordinator else "")
    message.set_content(
        f"Hello {mail.name},\n\n"
        "Someone, we hope you, asked to sign in to the career-orientation tracker.\n\n"
        f"To sign in, open this link:\n\n    {site.link('/login/' + mail.token)}\n\n"
        "Or type this code on the sign-in page, in the browser where you asked:\n\n"
        f"    {shown_code(mail.code)}\n{second}\n"
        f"The link and the code work once, for {minutes} minutes.\n"
        "If you did not ask, you can ignore this mail: without the link or the code\n"
        "nobody can sign in as you.\n")
    return message
