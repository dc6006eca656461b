"""Messages as bytes: a text part, and an HTML part when there is one
(multipart/alternative).

The email package's object model takes about 2 ms to build and serialise a message like
this; a run over a whole programme writes ten thousand of them. So the envelope of a
run is fixed once (sender, date, boundary) and each message is put together from the
same standard-library pieces the email package uses itself: ``email.utils`` for
addresses, dates and message ids, ``email.header`` for non-ASCII headers (RFC 2047) and
``binascii``'s base64 for bodies that need it (RFC 2045). The HTML part writes every
character beyond ASCII as a character reference, so it travels as it is. Lines end in
LF, as the email package writes them (smtplib sends CRLF). A test parses every message
back with ``email.parser`` and compares it with the same message built by
:class:`email.message.EmailMessage`.
"""

from __future__ import annotations

import binascii
import secrets
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from tracker.errors import InvalidInput


def checked_sender(value: str | None) -> str:
    """The From address: ``Name <address>`` or a bare address."""
    if not value or not value.strip():
        raise InvalidInput("say who the mail is from: --from ADDRESS, or set "
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


def _body(kind: str, text: str, boundary: str) -> bytes:
    """A text part (RFC 2045): as it is when it is ASCII in short lines (7bit), else
    base64 in lines of 76 characters."""
    if text.isascii():
        return _part(kind, text.encode("ascii"), boundary, ascii=True)
    return _part(kind, text.encode("utf-8"), boundary, ascii=False)


def _part(kind: str, data: bytes, boundary: str, ascii: bool) -> bytes:
    """The part of ``data``, the text already encoded (UTF-8; ``ascii`` when it is
    only ASCII), made in bytes: the HTML part is some ten kilobytes, and each copy of it
    as text and back cost as much as writing it."""
    if not data.endswith(b"\n"):
        data += b"\n"  # as the email package ends every text part
    head = f"--{boundary}\nContent-Type: text/{kind}; charset=\"utf-8\"\n".encode("ascii")
    if ascii and not _has_long_line(data):
        return b"".join((head, b"Content-Transfer-Encoding: 7bit\n\n", data, b"\n"))
    encoded = binascii.b2a_base64(data, newline=False)
    lines = b"\n".join([encoded[i:i + 76] for i in range(0, len(encoded), 76)])
    return b"".join((head, b"Content-Transfer-Encoding: base64\n\n", lines, b"\n"))


_LONGEST_LINE = 900  # RFC 5322 allows 998 characters a line
# A line longer than _LONGEST_LINE covers a whole stretch of _STRETCH bytes that starts at
# a multiple of _STRETCH (it starts at most _STRETCH - 1 before one, and 2 * _STRETCH - 1
# is not more than its length), so only such a stretch without a line's end is looked at
# more closely: a few searches in C instead of a string for each of some 150 lines.
_STRETCH = (_LONGEST_LINE + 2) // 2


def _has_long_line(data: bytes) -> bool:
    """Whether a line of ``data`` (lines end in LF) is longer than :data:`_LONGEST_LINE`."""
    for start in range(0, len(data) - _STRETCH + 1, _STRETCH):
        if data.find(b"\n", start, start + _STRETCH) < 0:
            line_start = data.rfind(b"\n", 0, start) + 1
            line_end = data.find(b"\n", start + _STRETCH)
            if (len(data) if line_end < 0 else line_end) - line_start > _LONGEST_LINE:
                return True
    return False


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

    def make(self, name: str, address: str, subject: str, text: str,
             html: str | None = None) -> Message:
        for value in (name, address, subject):  # (what is written checks them too)
            if "\n" in value or "\r" in value or "\x00" in value:
                raise InvalidInput(f"a line break or NUL in a header: {value!r}")
        message_id = make_msgid("tracker", domain=self.domain)
        headers = (f"From: {self.sender}\n"
                   f"To: {formataddr((name, address))}\n"
                   f"Subject: {_header(subject)}\n"
                   f"Date: {self.date}\n"
                   f"Message-ID: {message_id}\n"
                   "MIME-Version: 1.0\n")
        if html is None:  # one text part: its own headers are the message's
            body = _body("plain", text, "").split(b"\n", 1)[1]  # no boundary line
            if body.endswith(b"\n\n"):
                body = body[:-1]  # (the newline that would precede a delimiter)
            return Message(address, message_id, headers.encode("ascii") + body)
        headers += f"Content-Type: multipart/alternative; boundary=\"{self.boundary}\"\n\n"
        data = b"".join((headers.encode("ascii"), _body("plain", text, self.boundary),
                         _part("html", html.encode("ascii", "xmlcharrefreplace"),
                               self.boundary, ascii=True),
                         f"--{self.boundary}--\n".encode("ascii")))
        return Message(address, message_id, data)
