"""The door by QR code: the projector's page and its code, the scan, the button."""

from __future__ import annotations

import ipaddress
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

import segno
from flask import Response, g, jsonify, make_response, redirect, render_template, request

from tracker.errors import InvalidInput
from tracker.service.portal import door_checkin as checkin
from tracker.service.portal import doors, signin
from tracker.service.portal.doorcode import STEP_SECONDS, clean_code, seconds_to_next_step
from tracker.service.portal.secrets import digest, keyed, same
from tracker.web.here import message, portal, visitor
from tracker.web.security import browser_key, script_nonce, set_browser_cookie

DEVICE_DAYS = 400


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=1, border=2, dark="#000",
                                                    light="#fff", omitsize=True))


def scan_url(activity_id: int, code: str) -> str:
    return portal().site.link(f"/c/{activity_id}/{code}")


def _projected(secret: str) -> dict[str, Any]:
    here = portal()
    now = here.now()
    view = doors.projector(here.db, secret, now)
    return {"title": view.title, "count": view.count,
            "svg": _qr(scan_url(view.activity_id, view.code)),
            "next": round(seconds_to_next_step(now), 2)}


def projector(secret: str) -> Any:
    """The screen by the door: the QR code, the title, the count; no names."""
    shown = _projected(secret)
    return render_template("door_projector.html", shown=shown, nonce=script_nonce(),
                           step=STEP_SECONDS, refresh=max(1, int(shown["next"] + 0.5)))


def projector_json(secret: str) -> Any:
    """The projector's script asks for the code here (only with the projector's secret)."""
    return jsonify(_projected(secret))


# --- the scan ------------------------------------------------------------------------


def _device() -> str:
    """This browser's own name at the door (set by the scan page when it has none)."""
    found = request.cookies.get(portal().site.device_cookie_name, "")
    if re.fullmatch(r"[A-Za-z0-9_-]{20,100}", found):
        return found
    if "new_device" not in g:
        g.new_device = secrets.token_urlsafe(32)
    return str(g.new_device)


def _with_cookies(page: Any) -> Response:
    response = make_response(page)
    if "new_device" in g:
        where = portal().site
        response.set_cookie(where.device_cookie_name, g.new_device,
                            max_age=DEVICE_DAYS * 86400, path="/", secure=where.https,
                            httponly=True, samesite="Lax")
    if "new_browser_key" in g:  # (the security hook sets it only when no cookie is set)
        set_browser_cookie(response, g.new_browser_key, None)
    return response


def _seal(activity_id: int, code: str, scanned_at: str) -> str:
    return keyed(portal().key, "scan", f"{activity_id}:{code}:{scanned_at}:{browser_key()}")


def _flags() -> frozenset[str]:
    """``outside-network`` for an address outside ``serve --networks`` (or a refusal)."""
    networks = portal().extra.get("networks")
    if not networks:
        return frozenset()
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        address = None
    if address is not None and any(address in network for network in networks):
        return frozenset()
    if portal().extra.get("refuse_outside_network"):
        raise checkin.Refused("Check-in works only from the network of the building (its "
                              "wifi): connect your phone to it and scan the code again.")
    return frozenset({checkin.OUTSIDE_NETWORK})


def _refusals(view: Callable[..., Any]) -> Callable[..., Any]:
    """A refused scan or check-in: its sentence under "Not checked in", 400."""
    @wraps(view)
    def answered(**kwargs: Any) -> Any:
        try:
            return view(**kwargs)
        except checkin.Refused as refusal:
            return message(str(refusal), 400, "Not checked in")
    return answered


@_refusals
def scan(activity: int, code: str) -> Any:
    """The QR code's target: judged now; then one button (or, not signed in, a sign-in
    that completes the check-in). Nothing is recorded by this page."""
    here, person = portal(), visitor()
    if person is not None and person.role != "student":
        return message("You are signed in as a coordinator: students check in with this "
                       "code on their own phones.", 400, "For students")
    _flags()
    judged = checkin.judge_scan(here.db, activity, clean_code(code),
                                digest(browser_key()), here.now(), here.today(),
                                client_hash=None if person is not None else
                                checkin.client_hash(here.key, request.remote_addr or "unknown"))
    scanned_at = judged.scanned_at.isoformat()
    page = render_template("door_scan.html", person=person, title=judged.title,
                           scanned_at=scanned_at, signed_in=person is not None,
                           seal=_seal(activity, clean_code(code), scanned_at))
    _device()
    return _with_cookies(page)


@_refusals
def press(activity: int, code: str) -> Any:
    """The button: check in the student signed in here; or keep the scan and send a
    sign-in link, which checks in when it is used in this browser."""
    here, person = portal(), visitor()
    code = clean_code(code)
    scanned_at = request.form.get("scanned_at", "")
    if not same(request.form.get("seal", ""), _seal(activity, code, scanned_at)):
        raise InvalidInput("This check-in page was not opened in this browser, or is out of "
                           "date. Scan the code on the screen again.")
    judged = checkin.Scan(activity, "", datetime.fromisoformat(scanned_at))
    flags = _flags()
    if person is None:
        return _keep(judged, code)
    if person.role != "student":
        return message("You are signed in as a coordinator: students check in with this "
                       "code on their own phones.", 400, "For students")
    done = checkin.check_in(here.db, judged, code, person.person_id, device_hash=digest(
        _device()), client=request.remote_addr or "unknown", flags=flags, now=here.now(),
        today=here.today())
    if done.already:
        return _with_cookies(render_template(
            "message.html", title="Checked in already", signed_in=True,
            text=f"You were checked in at {done.title} already, at "
                 f"{done.at.astimezone():%H:%M}. Nothing more to do."))
    return _with_cookies(redirect(f"/me?checked-in={activity}", 303))


def _keep(judged: checkin.Scan, code: str) -> Any:
    here = portal()
    now = here.now()
    identity = request.form.get("identity", "")
    # Judged again as it comes (the door may have closed), then kept for the sign-in.
    checkin.check_kept(here.db, judged, code, now, here.today())
    signin.ask(here.db, identity, request.remote_addr or "unknown", browser_key(), now)
    checkin.keep_scan(here.db, judged, device_hash=digest(_device()),
                      client=request.remote_addr or "unknown", now=now)
    here.mail.wake()
    return _with_cookies(render_template("door_kept.html", signed_in=False))


def complete_after_sign_in(student_id: int) -> list[Any]:
    """Called by the sign-in: the scans this browser kept, checked in now."""
    found = request.cookies.get(portal().site.device_cookie_name)
    if not found:
        return []
    here = portal()
    return checkin.complete_waiting(here.db, digest(found), student_id,
                                    client=request.remote_addr or "unknown",
                                    flags=_flags_quietly(), now=here.now(),
                                    today=here.today())


def _flags_quietly() -> frozenset[str]:
    try:
        return _flags()
    except checkin.Refused:
        return frozenset({checkin.OUTSIDE_NETWORK})
