"""``tracker coordinator``: who may open the coordinator's pages of the portal."""

from __future__ import annotations

import io

import click

from tracker.cli.common import CommandGroup, database, emit, format_option, note


@click.group(cls=CommandGroup,
             short_help="Who may sign in to the portal's coordinator pages (with a TOTP app).")
def coordinator() -> None:
    """Coordinators of the portal (`tracker serve`): each signs in with an e-mailed link
    and a 6-digit code from an authenticator app on their phone.

    \b
    Examples:
      tracker coordinator add aasco@example.org --name "Dr. A. Coordinator"
      tracker coordinator list
      tracker coordinator remove aasco@example.org
    """


@coordinator.command(short_help="Register a coordinator and show their TOTP enrolment.")
@click.argument("email")
@click.option("--name", required=True, help="Their name, as the portal shows it.")
def add(email: str, name: str) -> None:
    """Register coordinator EMAIL, and show the enrolment for their authenticator app
    (a QR code to scan, and the same as an otpauth:// address). It is shown this once:
    to enrol another phone, remove the coordinator and add them again.

    Example: tracker coordinator add aasco@example.org --name "Dr. A. Coordinator"
    """
    from tracker.service.portal.coordinators import add_coordinator

    enrolment = add_coordinator(database(), email, name)
    click.echo(f"added coordinator {enrolment.name} <{enrolment.email}>")
    show_enrolment(enrolment.uri, enrolment.secret)


def show_enrolment(uri: str, secret: str, *, once: bool = True) -> None:
    """The enrolment: a QR code for the terminal, the otpauth:// URI, the key."""
    import segno

    click.echo("Scan this with the authenticator app on their phone (any TOTP app):")
    drawing = io.StringIO()  # block characters, no colours: a pipe or a file shows it too
    segno.make(uri, error="m").terminal(out=drawing, compact=True)
    click.echo(drawing.getvalue(), nl=False)
    click.echo(f"or open this on the phone:  {uri}")
    spaced = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    click.echo(f"or type the key:            {spaced}")
    if once:
        note("This is the only time the key is shown. Keep it off shared screens.")


@coordinator.command(name="list", short_help="List the coordinators.")
@format_option
def list_(fmt: str | None) -> None:
    """List the coordinators, with how many browsers each is signed in on now.

    Example: tracker coordinator list --format json
    """
    from tracker.output import listing
    from tracker.service.portal.coordinators import list_coordinators

    emit(listing(list_coordinators(database()), ["email", "name", "added", "sessions"]), fmt)


@coordinator.command(short_help="Remove a coordinator; their sessions end at once.")
@click.argument("email")
def remove(email: str) -> None:
    """Remove coordinator EMAIL: they can no longer sign in, and every browser they are
    signed in on is signed out at once.

    Example: tracker coordinator remove aasco@example.org
    """
    from tracker.service.portal.coordinators import remove_coordinator

    ended = remove_coordinator(database(), email)
    click.echo(f"removed coordinator {email.strip().lower()}; "
               f"{ended} session{'s' if ended != 1 else ''} ended")
