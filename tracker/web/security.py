"""What every response and every POST goes through: the Content-Security-Policy (one
object, set by one hook), the other security headers, the browser's cookie, the CSRF
token and the same-origin check."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import Flask, Request, g, request
from werkzeug.wrappers import Response

from tracker.service.portal.secrets import keyed, same
from tracker.web.here import portal
from tracker.web.site import Site

# A page's own scripts run by nonce, nothing else does; styles are inline in every page
# (they open from an e-mail or a USB stick too), so inline styles are allowed.
_POLICY = {
    "default-src": "'none'",
    "style-src": "'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",  # the projector's and the live list's script ask the portal
    "form-action": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


@dataclass(frozen=True)
class ContentSecurityPolicy:
    """The one policy of the portal; pages differ only in their script nonce."""

    directives: tuple[tuple[str, str], ...] = tuple(_POLICY.items())

    def header(self, nonce: str | None) -> str:
        scripts = f"'nonce-{nonce}'" if nonce else "'none'"
        return "; ".join([f"script-src {scripts}",
                          *(f"{name} {value}" for name, value in self.directives)])


CSP = ContentSecurityPolicy()
HSTS = "max-age=31536000"


# --- the browser's cookie ------------------------------------------------------------------


def site() -> Site:
    return portal().site


def browser_key() -> str:
    """The value of this browser's cookie: a session's id when signed in, else a random
    value of its own (set on the first page with a form); the CSRF token and a
    sign-in request are tied to it."""
    if "new_browser_key" in g:  # made in this request (a first visit, a sign-out)
        return str(g.new_browser_key)
    value = request.cookies.get(site().cookie_name)
    if value and re.fullmatch(r"[A-Za-z0-9_-]{20,100}", value):
        return value
    g.new_browser_key = secrets.token_urlsafe(32)
    return str(g.new_browser_key)


def set_browser_cookie(response: Response, value: str, max_age: int | None) -> None:
    where = site()
    response.set_cookie(where.cookie_name, value, max_age=max_age, path="/",
                        secure=where.https, httponly=True, samesite="Lax")


def clear_browser_cookie(response: Response) -> None:
    where = site()
    response.delete_cookie(where.cookie_name, path="/", secure=where.https, httponly=True,
                           samesite="Lax")


def csrf_token() -> str:

    return keyed(portal().key, "csrf", browser_key())


def script_nonce() -> str:
    """This response's script nonce (a page that asks for none runs no script)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


# --- hooks ---------------------------------------------------------------------------------


class Forbidden(Exception):
    """A POST from another site, or without this browser's token: answered 403."""


def check_post(incoming: Request) -> None:
    """Every state change: same origin, and the token tied to this browser's cookie."""
    if incoming.method != "POST":
        return
    origin = incoming.headers.get("Origin")
    fetch_site = incoming.headers.get("Sec-Fetch-Site")
    # Under Referrer-Policy: no-referrer Chromium sends "Origin: null" on a form POST;
    # then the browser's own Sec-Fetch-Site says where the form was.
    if origin and origin != "null":
        if origin != site().origin:
            raise Forbidden(f"this form was sent from {origin}, not from the portal "
                            f"({site().origin}): open the portal at its own address")
    elif fetch_site != "same-origin":
        raise Forbidden("this browser did not say the form came from the portal's own page")
    if incoming.cookies.get(site().cookie_name) is None:
        raise Forbidden("this browser sent no cookie with the form: the portal needs "
                        "cookies to sign you in (reload the page and try again)")
    token = incoming.form.get("csrf_token", "")
    if not same(token, csrf_token()):
        raise Forbidden("this form is out of date (the page was open too long, or you signed "
                        "in or out in another tab): reload the page and try again")


def secure_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    response.headers["Content-Security-Policy"] = CSP.header(nonce) + (
        "; sandbox" if g.get("sandboxed") else "")  # a claim's evidence: it runs nothing
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if site().https:
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers.setdefault("Cache-Control", "no-store")  # pages about a person
    new_key = g.get("new_browser_key")
    if new_key is not None and "Set-Cookie" not in response.headers:
        set_browser_cookie(response, new_key, None)
    return response


def install(app: Flask) -> None:
    app.after_request(secure_headers)
