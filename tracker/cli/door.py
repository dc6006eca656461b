"""``tracker door``: open and close check-in by QR code for an activity held today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click

from tracker.cli.common import ACTIVITY_ID, CommandGroup, WholeNumber, by_option, database

MINUTES = WholeNumber("a number of minutes, 1 to 720", low=1, high=720)
DEFAULT_BASE = "http://127.0.0.1:8000"


@click.group(cls=CommandGroup,
             short_help="Open or close check-in by QR code (the projector's link).")
def door() -> None:
    """Check-in by QR code: open the door of an activity held today, put the projector
    link on the screen by the door, and students check themselves in by scanning the
    code with their phone (signed in to the portal, `tracker serve`).

    \b
    Examples:
      tracker door open 14 --minutes 30
      tracker door close 14
    """


def _base_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--base-url", "base_url", metavar="URL", envvar="TRACKER_BASE_URL",
        help="The portal's address as students reach it (as for `serve`). Default: "
             f"$TRACKER_BASE_URL, else {DEFAULT_BASE}.")(function)


def _clock(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")


@door.command(name="open", short_help="Open check-in for an activity held today.")
@click.argument("activity_id", type=ACTIVITY_ID)
@click.option("--minutes", type=MINUTES, default=120, show_default=True,
              help="How long check-in stays open.")
@_base_option
@by_option
def open_(activity_id: int, minutes: int, base_url: str | None, by: str | None) -> None:
    """Open check-in by QR code for ACTIVITY_ID (held today), and print the projector
    link: open it on the screen by the door. Opening an open door changes nothing and
    prints its link again.

    Example: tracker door open 14 --minutes 30
    """
    from tracker.service.portal.doors import open_door
    from tracker.web.site import Site

    site = Site.of(base_url or DEFAULT_BASE)
    opened = open_door(database(), activity_id, minutes=minutes, by=by,
                       now=datetime.now(UTC), today=date.today())
    state = opened.state
    what = f"#{state.activity.id} {state.activity.title}"
    assert state.link is not None and state.ends_at is not None
    if opened.already:
        click.echo(f"check-in for {what} was open already, until {_clock(state.ends_at)} "
                   f"({state.count} checked in): nothing changed")
    else:
        click.echo(f"check-in for {what} is open until {_clock(state.ends_at)}")
    click.echo(f"projector link (for the screen by the door only): {site.link(state.link)}")


@door.command(short_help="Close check-in: the link and every code stop working.")
@click.argument("activity_id", type=ACTIVITY_ID)
def close(activity_id: int) -> None:
    """Close check-in by QR code for ACTIVITY_ID now: the projector link and every code
    stop working at once. Closing a closed door changes nothing.

    Example: tracker door close 14
    """
    from tracker.service.portal.doors import close_door

    state, was_open = close_door(database(), activity_id, now=datetime.now(UTC))
    what = f"#{state.activity.id} {state.activity.title}"
    if was_open:
        click.echo(f"check-in for {what} is closed ({state.count} checked in)")
    else:
        click.echo(f"check-in for {what} was not open: nothing changed")
