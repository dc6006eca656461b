"""The coordinator's door of one activity: open and close check-in, the projector link,
who checked in (with flags, live), and removing one (as ``attend --remove`` does)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, render_template, request

from tracker import fields
from tracker.errors import InvalidInput
from tracker.service import attendance
from tracker.service.portal import doors
from tracker.service.portal.doorcode import Window
from tracker.service.portal.sessions import Visitor
from tracker.web.here import portal, visitor
from tracker.web.security import script_nonce

HOW = {"qr": "QR code", "checkin": "kiosk", "typed": "typed (attend)"}  # else a file's line


def _coordinator() -> Visitor:
    person = visitor()
    assert person is not None  # the route is for coordinators
    return person


def _listed(activity_id: int) -> list[dict[str, Any]]:
    return [{"number": p.number, "name": p.name, "status": p.status,
             "at": p.at.isoformat(), "time": p.at.astimezone().strftime("%H:%M:%S"),
             "source": p.source, "how": HOW.get(p.source, p.source), "flags": list(p.flags)}
            for p in doors.present(portal().db, activity_id)]


def activity_page(activity_id: int, notice: str | None = None, status: int = 200) -> Any:
    here = portal()
    state = doors.door_state(here.db, activity_id, here.now())
    return render_template(
        "admin_activity.html", state=state, open=state.window == Window.OPEN,
        link=here.site.link(state.link) if state.link else None,
        present=_listed(activity_id), notice=notice, nonce=script_nonce(),
        minutes=doors.DEFAULT_MINUTES, signed_in=True, here="activity"), status


def checkins_json(activity_id: int) -> Any:
    here = portal()
    state = doors.door_state(here.db, activity_id, here.now())
    return jsonify({"count": state.count, "window": state.window.value,
                    "present": _listed(activity_id)})


def open_door(activity_id: int) -> Any:
    here = portal()
    typed = request.form.get("minutes", "").strip() or str(doors.DEFAULT_MINUTES)
    if not (fields.digits(typed) and len(typed) < 6):
        raise InvalidInput(f"minutes: {typed[:10]!r} is not a number of minutes, 1 to "
                           f"{doors.MOST_MINUTES}")
    doors.open_door(here.db, activity_id, minutes=int(typed), by=_coordinator().name,
                    now=here.now(), today=here.today())
    return redirect(f"/admin/activities/{activity_id}", 303)


def close_door(activity_id: int) -> Any:
    here = portal()
    doors.close_door(here.db, activity_id, now=here.now())
    return redirect(f"/admin/activities/{activity_id}", 303)


def remove(activity_id: int) -> Any:
    """Take one student off the activity: ``attend --remove``, in the history, undoable."""
    here = portal()
    number = request.form.get("student", "").strip()
    if not number:
        raise InvalidInput("say which student to remove (the form's student field)")
    done = attendance.remove_attendance(here.db, activity_id, [number],
                                        by=_coordinator().name)
    said = (f"Removed {number} from the list (change #{done.change}: "
            f"`tracker undo --change {done.change}` brings them back)." if done.removed
            else f"{number} was not on the list: nothing changed.")
    return activity_page(activity_id, said)
