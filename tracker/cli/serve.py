"""``tracker serve``: the portal, under waitress, on the database every command uses."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.common import ONE_OR_MORE, WholeNumber, app, note
from tracker.cli.context import AppContext, UserError

if TYPE_CHECKING:
    from email.message import EmailMessage

    from flask import Flask

    from tracker.db.engine import Database
    from tracker.web.mail import Postbox

PORT = WholeNumber("a port number, 1 to 65535", low=1, high=65535)
DEMO_COORDINATOR = ("coordinator@demo.example.org", "Demo Coordinator")
# Public on purpose: the demo's coordinator is no secret. Never a real coordinator's key.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"


@click.command(short_help="Serve the portal: students and coordinators on the web.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=PORT, default=8000, show_default=True)
@click.option("--base-url", "base_url", metavar="URL", envvar="TRACKER_BASE_URL",
              help="The address students reach, e.g. https://tracker.example.org (behind a "
                   "proxy); every link uses it. Default: $TRACKER_BASE_URL, else "
                   "http://HOST:PORT.")
@click.option("--threads", type=ONE_OR_MORE, default=8, show_default=True,
              help="Requests answered at once.")
@click.option("--trusted-proxy", "trusted_proxy", metavar="ADDRESS",
              help="The one proxy whose X-Forwarded-For and X-Forwarded-Proto are believed.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write sign-in mails to DIR as .eml files instead of sending them.")
@click.option("--networks", metavar="CIDR,...",
              help="The networks of the building (e.g. 10.20.0.0/16,192.0.2.0/24): a check-in "
                   "by QR code from another address is flagged outside-network.")
@click.option("--refuse-outside-network", "refuse_outside", is_flag=True,
              help="Refuse check-ins by QR code from outside --networks instead of flagging "
                   "them.")
@click.option("--demo", is_flag=True,
              help="Serve the demo database (as `tracker demo` builds it), no mail server "
                   "needed: sign-in links are printed here.")
def serve(host: str, port: int, base_url: str | None, threads: int,
          trusted_proxy: str | None, outbox: Path | None, networks: str | None,
          refuse_outside: bool, demo: bool) -> None:
    """Serve the portal: students sign in by e-mailed link and see their progress live,
    with a calendar feed; coordinators see the cohort page. Mail goes as for `remind`
    ($TRACKER_SMTP_URL, $TRACKER_SMTP_PASSWORD, $TRACKER_MAIL_FROM).

    It binds 127.0.0.1 unless --host says otherwise. Behind the university's TLS proxy
    give --base-url https://... and --trusted-proxy (see the README, "Students on the
    web"). Several processes or hosts may serve one PostgreSQL database.

    \b
    Examples:
      tracker serve --demo
      tracker serve --base-url https://tracker.example.org --trusted-proxy 10.0.0.5
    """
    from tracker.db.engine import describe

    base = base_url or _default_base(host, port)
    if trusted_proxy is not None:
        _check_address(trusted_proxy)
    building = _networks(networks)
    if refuse_outside and not building:
        raise UserError("--refuse-outside-network needs --networks: say which networks are "
                        "the building's")
    context = app(click.get_current_context())
    if demo:
        context, postbox = _demo(context, outbox)
    else:
        postbox = _postbox(outbox)
    from tracker.web import create_app

    web = create_app(context.url(), base_url=base, postbox=postbox, threads=threads)
    web.extensions["tracker"].extra.update(networks=building,
                                           refuse_outside_network=refuse_outside)
    context.opened()  # the garbage collector, off through the imports, collects again
    server = _listen(web, host, port, threads, trusted_proxy)  # bound: say so, then serve
    click.echo(f"tracker serve: listening on http://{host}:{port}, for {base}/")
    click.echo(f"database: {describe(context.url())}")
    click.echo(f"mail: {postbox.description}")
    if trusted_proxy:
        click.echo(f"proxy: X-Forwarded-For and -Proto believed from {trusted_proxy} only")
    if building:
        click.echo(f"check-in by QR code from outside {networks} is "
                   f"{'refused' if refuse_outside else 'flagged outside-network'}")
    if demo:
        _demo_links(web.extensions["tracker"].db, base)
    click.echo("Stop with Ctrl+C.")
    _stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        note("stopped")
    finally:
        server.close()
        web.extensions["tracker"].mail.stop()


def _stop_on_sigterm() -> None:
    """A service manager's stop (SIGTERM) ends the server as Ctrl+C does: the mail worker
    finishes the mail in hand (a mail cut off is sent again by the next worker)."""
    import signal

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _default_base(host: str, port: int) -> str:
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise UserError(f"--host {host}: say with --base-url where students reach the portal "
                        "(e.g. https://tracker.example.org)")
    return f"http://{'[::1]' if host == '::1' else host}:{port}"


def _check_address(address: str) -> None:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise UserError(f"--trusted-proxy: {address!r} is not an IP address such as "
                        "10.0.0.5") from None


def _networks(text: str | None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise UserError(f"--networks: {part[:50]!r} is not a network such as "
                            "10.20.0.0/16") from None
    return found


def _postbox(outbox: Path | None) -> Postbox:
    from tracker.web.mail import NoPostbox, postbox_from_environment

    postbox = postbox_from_environment(outbox)
    if isinstance(postbox, NoPostbox):
        raise UserError(f"sign-in needs mail: {postbox.why} (--outbox tries it out on one "
                        "machine; --demo needs no mail at all)")
    return postbox


def _listen(web: Flask, host: str, port: int, threads: int,
            trusted_proxy: str | None) -> Any:
    """A waitress server bound to ``host:port`` (not yet serving)."""
    import logging

    from waitress.server import create_server

    from tracker.web.app import MAX_BODY

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    proxy = ({"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
              "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
              "clear_untrusted_proxy_headers": True} if trusted_proxy else {})
    # waitress lets the app refuse a large body with its own sentence (a phone's photo of
    # 8 MB got waitress's bare page); beyond 8 times the app's limit waitress refuses it
    try:
        return create_server(web, host=host, port=port, threads=threads, ident="tracker",
                             max_request_body_size=8 * MAX_BODY, **proxy)
    except OSError as error:
        raise UserError(f"cannot listen on {host}:{port}: {error.strerror}") from None


# --- the demo -------------------------------------------------------------------------------


def _demo(context: AppContext, outbox: Path | None) -> tuple[AppContext, Postbox]:
    """The demo database (built as `tracker demo` builds it), its coordinator, and a
    postbox that prints each sign-in mail's link here."""
    from tracker.cli.demo import open_demo
    from tracker.db.engine import default_data_dir
    from tracker.service.portal.coordinators import add_coordinator, list_coordinators

    target = (default_data_dir() / "demo.db").resolve()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    demo_context, database, built = open_demo(target, context.on_open)
    if built:
        from tracker.service.demo import fill_demo

        note(f"building the demo programme in {target} ...")
        fill_demo(database, date.today())
    if not any(c.email == DEMO_COORDINATOR[0] for c in list_coordinators(database)):
        add_coordinator(database, *DEMO_COORDINATOR, secret=DEMO_TOTP_SECRET)
    if outbox is not None:
        from tracker.web.mail import OutboxPostbox

        return demo_context, OutboxPostbox(outbox)
    return demo_context, TerminalPostbox()


class TerminalPostbox:
    """The demo's mail: each sign-in mail's link and code, printed where `serve` runs."""

    sender = "tracker demo <tracker@demo.example.org>"
    description = "printed here (a demo: nothing is sent)"

    def deliver(self, message: EmailMessage, recipient: str, name: str) -> None:
        body = message.get_content()
        link = re.search(r"https?://\S+/login/\S+", body)
        code = re.search(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b", body)
        click.echo(f"sign-in mail to {recipient}: {link.group(0) if link else '?'}  "
                   f"(or type {code.group(0) if code else '?'})")


def _demo_links(db: Database, base: str) -> None:
    """Links for a demo student (of the newest intake with something at risk or overdue:
    much still ahead) and the demo coordinator."""
    import pyotp

    from tracker.cli.coordinators import show_enrolment
    from tracker.service.portal.coordinators import enrolment
    from tracker.service.portal.signin import issue_link
    from tracker.service.report import Selection, cohort_report
    from tracker.standing import Standing

    now = datetime.now(UTC)
    behind = cohort_report(db, Selection(standings=frozenset(
        {Standing.AT_RISK, Standing.OVERDUE}))).rows
    click.echo("\nA first look (each link works once, for 10 minutes; ask for more on the "
               "sign-in page, and their links appear here):")
    if behind:  # (in start order)
        click.echo(f"  student {behind[-1].name} ({behind[-1].student}): "
                   f"{base}/login/{issue_link(db, behind[-1].student, now)}")
    click.echo(f"  coordinator {DEMO_COORDINATOR[1]}: "
               f"{base}/login/{issue_link(db, DEMO_COORDINATOR[0], now)}")
    click.echo("  The coordinator also needs a code from an authenticator app. The demo's key "
               "is public (never use it for a real coordinator):")
    demo = enrolment(*DEMO_COORDINATOR, DEMO_TOTP_SECRET)
    show_enrolment(demo.uri, demo.secret, once=False)
    click.echo(f"  Right now the code is {pyotp.TOTP(DEMO_TOTP_SECRET).now()}; a new one "
               "every 30 seconds.\n")
