"""Delivery over SMTP, and nothing else (the one path every mail takes is
:mod:`tracker.service.mail`): ``smtp://[user@]host[:port]`` (STARTTLS when the server offers it)
or ``smtps://[user@]host[:port]`` (TLS from the start). The password comes only from
``TRACKER_SMTP_PASSWORD`` and is never part of a message the tracker prints."""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from tracker.errors import InvalidInput

PASSWORD_ENV = "TRACKER_SMTP_PASSWORD"
URL_ENV = "TRACKER_SMTP_URL"
TIMEOUT = 30
_LOCAL = {"localhost", "127.0.0.1", "::1"}


class DeliveryFailed(Exception):
    """The server could not be reached, or stopped taking messages; the text says why
    (never with the password)."""


class Refused(Exception):
    """The server refused this one message for good (a 5xx answer to its recipient or its
    content); it goes on taking others. The text says why."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None = field(repr=False)

    @property
    def where(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{self.user + '@' if self.user else ''}{self.host}:{self.port}"

    @classmethod
    def parse(cls, url: str | None) -> SmtpSettings:
        if not url or not url.strip():
            raise InvalidInput(f"say which mail server sends the reminders: --smtp URL or "
                               f"{URL_ENV} (e.g. smtp://aasco@smtp.example.org:587)")
        text = url.strip()
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise InvalidInput(f"the SMTP URL {_shown(text)!r} is not valid: expected "
                               "smtp://[user@]host[:port] or smtps://...") from None
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise InvalidInput(f"the SMTP URL {_shown(text)!r} is not valid: expected "
                               "smtp://[user@]host[:port] or smtps://...")
        if parts.password is not None:
            raise InvalidInput("the SMTP URL holds a password: leave it out and set "
                               f"{PASSWORD_ENV} instead")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise InvalidInput(f"the SMTP URL {_shown(text)!r} has more than "
                               "[user@]host[:port]")
        implicit = parts.scheme == "smtps"
        user = unquote(parts.username) if parts.username else None
        password = os.environ.get(PASSWORD_ENV) or None
        if user and password is None:
            raise InvalidInput(f"the SMTP URL names the user {user!r}: set their password "
                               f"in {PASSWORD_ENV}")
        return cls(parts.hostname, port or (465 if implicit else 25), implicit, user, password)


def _shown(url: str) -> str:
    """A URL as it may be printed: without anything after a colon in its user part."""
    scheme, _, rest = url.partition("://")
    user, at, host = rest.rpartition("@")
    if at and ":" in user:
        user = user.split(":", 1)[0] + ":***"
    return f"{scheme}://{user}{at}{host}" if rest else url


class Mailer:
    """One connection to the server for a run of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        settings = self.settings
        context = ssl.create_default_context()
        try:
            if settings.implicit_tls:
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, settings.port, timeout=TIMEOUT, context=context)
            else:
                connection = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
            self.connection = connection
            connection.ehlo()
            if not settings.implicit_tls:
                if connection.has_extn("starttls"):
                    connection.starttls(context=context)
                    connection.ehlo()
                elif settings.user and settings.host not in _LOCAL:
                    raise DeliveryFailed(f"{settings.where} offers no STARTTLS: the password "
                                         "would travel unencrypted (use smtps://, or "
                                         "another server)")
            if settings.user:
                assert settings.password is not None
                connection.login(settings.user, settings.password)
        except DeliveryFailed:
            self._close()
            raise
        except (OSError, smtplib.SMTPException) as error:
            self._close()
            raise DeliveryFailed(f"{settings.where}: {describe(error)}") from None
        return self

    def send(self, sender: str, recipient: str, data: bytes) -> None:
        """Hand one message to the server: returns once the server has taken it."""
        assert self.connection is not None
        try:  # on the wire every line ends in CRLF (RFC 5321)
            refused = self.connection.sendmail(sender, [recipient],
                                               data.replace(b"\n", b"\r\n"))
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = error.recipients.get(recipient, (550, b""))
            if 500 <= code < 600:
                self._reset()
                raise Refused(f"the server refused the address {recipient} "
                              f"({code} {_text(answer)})".replace(" )", ")")) from None
            raise DeliveryFailed(f"{self.settings.where}: the server did not take "
                                 f"{recipient} for now ({code} {_text(answer)})") from None
        except smtplib.SMTPDataError as error:
            if 500 <= error.smtp_code < 600:
                self._reset()
                raise Refused(f"the server refused the message to {recipient} "
                              f"({error.smtp_code} {_text(error.smtp_error)})") from None
            raise DeliveryFailed(f"{self.settings.where}: {describe(error)}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"{self.settings.where}: {describe(error)}") from None
        if refused:  # (one recipient: refused ones raise above)
            raise Refused(f"the server refused the address {recipient}")

    def _reset(self) -> None:
        """Ready for the next message after a refusal (smtplib resets after RCPT, not
        always after DATA)."""
        assert self.connection is not None
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self.connection.rset()

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
        self._close()

    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
            self.connection = None


def _text(answer: bytes | str) -> str:
    return (answer.decode("utf-8", "replace") if isinstance(answer, bytes)
            else str(answer)).strip()


def describe(error: Exception) -> str:
    """An SMTP or network failure in a few words (never a class name)."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "the server refused the user name or password"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (f"the server refused the sender {error.sender} ({error.smtp_code} "
                f"{_text(error.smtp_error)})")
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the server answered {error.smtp_code} {_text(error.smtp_error)}".strip()
    if isinstance(error, smtplib.SMTPNotSupportedError):
        said = str(error).lower()
        if "auth" in said:
            return ("the server offers no login (SMTP AUTH): leave the user out of the "
                    "URL, or use another server")
        if "starttls" in said:
            return "the server offers no STARTTLS"
        return f"the server does not support what was asked ({str(error).rstrip('.')})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the server refused every recipient"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or error})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "no answer (timed out)"
    if isinstance(error, OSError):
        return error.strerror or str(error) or "a network error"
    return str(error).rstrip(".") or "the mail server failed"
