"""Real SMTP servers for the tests (aiosmtpd), on 127.0.0.1 only: a plain one, one that
requires STARTTLS and a login (with a certificate made by trustme), one that drops
the connection after some messages, one that refuses some addresses (550), a slow one,
and one that does something (``on_message``) once it has a message, before it answers."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What a server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    drop_after: int | None = None
    refuse: frozenset[str] = frozenset()
    delay: float = 0
    on_message: Callable[[int], None] | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            server.transport.close()  # the server goes away mid-run
            return "421 closing"
        if self.delay:
            await asyncio.sleep(self.delay)
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        self.recipients.extend(envelope.rcpt_tos)
        if self.on_message is not None:
            self.on_message(len(self.messages))
        return "250 OK"


@dataclass
class Server:
    url: str
    inbox: Inbox
    ca_file: str | None = None


@contextmanager
def smtp_server(*, tls: bool = False, user: str = "aasco", password: str = "",
                drop_after: int | None = None, tmp_path: Any = None,
                refuse: set[str] | frozenset[str] = frozenset(), delay: float = 0,
                on_message: Callable[[int], None] | None = None) -> Iterator[Server]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    inbox = Inbox(drop_after=drop_after, refuse=frozenset(refuse), delay=delay,
                  on_message=on_message)
    port = free_port()
    options: dict[str, Any] = {}
    ca_file = None
    if tls:
        import trustme

        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        ca_file = str(tmp_path / "ca.pem")
        authority.cert_pem.write_to_path(ca_file)

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                         auth_data: Any) -> AuthResult:
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            if ok:
                inbox.logins.append((user, "***"))
            return AuthResult(success=ok, handled=False)

        options = {"tls_context": context, "require_starttls": True, "auth_required": True,
                   "auth_require_tls": True, "authenticator": authenticate}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        who = f"{user}@" if tls else ""
        yield Server(f"smtp://{who}127.0.0.1:{port}", inbox, ca_file)
    finally:
        controller.stop()
