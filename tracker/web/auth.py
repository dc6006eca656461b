"""Signing in and out: the sign-in page, asking for a link, the link's confirmation, the
typed code (SPEC §9, "Who signs in, and how")."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, g, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from tracker.errors import InvalidInput
from tracker.service.portal import TooManyRequests, signin
from tracker.service.portal import sessions as web_sessions
from tracker.web.here import message, portal, visitor
from tracker.web.security import browser_key, csrf_token, set_browser_cookie

HOME = {"student": "/me", "coordinator": "/admin"}


def home() -> Any:
    person = visitor()
    if person is not None:
        return redirect(HOME[person.role], 303)
    return render_template("home.html", error=None, identity="", notice=None)


def ask() -> Any:
    """Queue the mail and answer the same page whoever was asked for."""
    typed = request.form.get("identity", "")
    here = portal()
    try:
        signin.ask(here.db, typed, request.remote_addr or "unknown", browser_key(), here.now())
    except InvalidInput as refusal:
        return render_template("home.html", error=str(refusal), identity=typed[:254],
                               notice=None), 400
    except TooManyRequests as refusal:
        return render_template("home.html", error=str(refusal), identity=typed[:254],
                               notice=None), 429
    answer = make_response(sent_page())
    # The worker starts on the mail once the answer has left: sending it takes several
    # times the answer's own work, and in this process it would hold the answer back.
    answer.call_on_close(here.mail.wake)
    return answer


_SENT, _HOLE = "tracker.sent-page", "csrf-token-goes-here"


def sent_page() -> str:
    """sent.html, for this browser. It is the same page for everyone but for its code
    form's CSRF token: rendered once per app (Jinja's layout, styles and includes were
    an eighth of a sign-in request's CPU here), the token put in. Templates that may
    change while serving (debug, TEMPLATES_AUTO_RELOAD) are rendered each time."""
    app = current_app
    if app.jinja_env.auto_reload:
        return render_template("sent.html", error=None)
    parts: list[str] | None = app.extensions.get(_SENT)
    if parts is None:
        page = render_template("sent.html", error=None, csrf_token=lambda: _HOLE)
        parts = app.extensions[_SENT] = page.split(_HOLE)
    return csrf_token().join(parts)


def code_form() -> Any:
    return render_template("code.html", error=None, code="")


def with_code() -> Any:
    here = portal()
    typed = request.form.get("code", "")
    try:
        outcome = signin.with_code(here.db, typed, request.form.get("otp"), browser_key(),
                                   here.now())
    except InvalidInput as refusal:
        return render_template("code.html", error=str(refusal), code=typed[:20]), 400
    return _finish(outcome, lambda error: render_template("code.html", error=error,
                                                          code=typed[:20]))


def confirm(token: str) -> Any:
    """What a mail scanner sees too: whose link it is, and a button. Nothing changes."""
    here = portal()
    pending = signin.pending(here.db, token, here.now())
    return render_template("confirm.html", pending=pending, error=None, now_signed_in=visitor())


def with_link(token: str) -> Any:
    here = portal()
    outcome = signin.with_link(here.db, token, request.form.get("otp"), browser_key(),
                               here.now())

    def again(error: str) -> str:
        pending = signin.pending(here.db, token, here.now())
        return render_template("confirm.html", pending=pending, error=error,
                               now_signed_in=visitor())

    return _finish(outcome, again)


REFUSALS = {
    "wrong-code": "That code is not the one in the mail",
    "wrong-otp": "The code from your authenticator app is not right (or was used already)",
}


def _finish(outcome: signin.Outcome, again: Any) -> Any:
    signed_in = outcome.signed_in
    if signed_in is not None:
        target = HOME[signed_in.role]
        if signed_in.role == "student":
            target = _after_scan(signed_in.key) or target
        response: Response
        if signed_in.replaced is not None:  # the browser was someone else's: say so
            response = make_response(render_template(
                "switched.html", name=signed_in.name, before=signed_in.replaced,
                target=target))
        else:
            response = redirect(target, 303)
        lifetime = web_sessions.LIFETIMES[signed_in.role].longest
        set_browser_cookie(response, signed_in.key, int(lifetime.total_seconds()))
        return response
    refusal = outcome.refusal
    if refusal == "dead":
        if outcome.used_here:  # the second of two clicks: the first signed this browser in
            return redirect("/", 303)
        return dead_link()
    if refusal == "void":
        return message("That was the fifth wrong code: this sign-in no longer works. Ask for "
                       "a new link on the sign-in page.", 429, "Please ask again")
    if refusal == "no-code-here":
        return again("No sign-in is waiting in this browser. Type the code in the browser "
                     "where you asked for the link, or open the link in the mail."), 400
    tries = outcome.tries_left
    return again(f"{REFUSALS[str(refusal)]}: {tries} more {'try' if tries == 1 else 'tries'} "
                 "before it stops working."), 400


def _after_scan(key: str) -> str | None:
    """A scan this browser kept at a door, checked in now: where to go then."""
    from tracker.service.portal.door_checkin import CheckedIn
    from tracker.web.door import complete_after_sign_in

    here = portal()
    person = web_sessions.visitor(here.db, key, here.now())
    if person is None:
        return None
    done = [d for d in complete_after_sign_in(person.person_id) if isinstance(d, CheckedIn)]
    return f"/me?checked-in={done[0].activity_id}" if done else None


def dead_link() -> Any:
    return message("This sign-in link does not work (any more): a link works once, for 10 "
                   "minutes. Ask for a new one on the sign-in page.", 404, "Link expired")


def sign_out() -> Any:
    here = portal()
    web_sessions.sign_out(here.db, browser_key())
    return _signed_out("You are signed out.")


def sign_out_everywhere() -> Any:
    here = portal()
    person = visitor()
    assert person is not None  # the route is for the signed-in
    ended = web_sessions.sign_out_everywhere(here.db, person)
    return _signed_out(f"You are signed out in every browser ({ended} "
                       f"session{'s' if ended != 1 else ''} ended).")


def _signed_out(notice: str) -> Any:
    g.new_browser_key = secrets.token_urlsafe(32)  # this browser starts afresh
    g.visitor = None
    return render_template("home.html", error=None, identity="", notice=notice)
