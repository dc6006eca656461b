"""Reminder messages as bytes: a text part and an HTML part (multipart/alternative).

The email package's object model takes about 2 ms to build and serialise a message like
this; a run over a whole programme writes ten thousand of them. So the envelope of a
run is fixed once (sender, date, boundary) and each message is put together from the
same standard-library pieces the email package uses itself: ``email.utils`` for
addresses, dates and message ids, ``email.header`` for non-ASCII headers (RFC 2047) and
base64 bodies (RFC 2045). A test parses every message back with ``email.parser`` and
compares it with the same message built by :class:`email.message.EmailMessage`.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from tracker.errors import InvalidInput


def checked_sender(value: str | None) -> str:
    """The From address: ``Name <address>`` or a bare address."""
    if not value or not value.strip():
        raise InvalidInput("say who the reminders are from: --from ADDRESS, or set "
                           "TRACKER_MAIL_FROM (e.g. \"AASCO coordinator <aasco@example.org>\")")
    name, address = parseaddr(value.strip())
    local, _, domain = address.rpartition("@")
    if (not local or "." not in domain or any(c.isspace() for c in address)
            or "," in value or domain.startswith(".") or domain.endswith(".")):
        raise InvalidInput(f"the sender {value.strip()!r} is not an e-mail address, e.g. "
                           "\"AASCO coordinator <aasco@example.org>\"")
    return formataddr((name, address)) if name else address


def _header(value: str) -> str:
    """A header value: as is when plain ASCII, else RFC 2047 encoded words."""
    if value.isascii() and "\n" not in value and len(value) < 900:
        return value
    return Header(value, "utf-8").encode()


def _body(kind: str, text: str, boundary: str) -> str:
    if not text.endswith("\n"):
        text += "\n"  # as the email package ends every text part
    encoded = base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", "\r\n")
    return (f"--{boundary}\r\nContent-Type: text/{kind}; charset=\"utf-8\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}")


@dataclass(frozen=True)
class Message:
    recipient: str  # the bare address
    message_id: str
    data: bytes


class MessageMaker:
    """Makes the messages of one run: one sender, one date."""

    def __init__(self, sender: str) -> None:
        self.sender = _header(sender)
        self.address = parseaddr(sender)[1]
        self.domain = self.address.rpartition("@")[2]
        self.date = formatdate(localtime=True)
        self.boundary = f"=_tracker_{secrets.token_hex(12)}"

    def make(self, name: str, address: str, subject: str, text: str, html: str) -> Message:
        message_id = make_msgid("tracker", domain=self.domain)
        headers = (f"From: {self.sender}\r\n"
                   f"To: {formataddr((name, address))}\r\n"
                   f"Subject: {_header(subject)}\r\n"
                   f"Date: {self.date}\r\n"
                   f"Message-ID: {message_id}\r\n"
                   "MIME-Version: 1.0\r\n"
                   f"Content-Type: multipart/alternative; boundary=\"{self.boundary}\"\r\n\r\n")
        data = (headers + _body("plain", text, self.boundary)
                + _body("html", html, self.boundary) + f"--{self.boundary}--\r\n")
        return Message(address, message_id, data.encode("ascii"))
