"""The portal under test: an app per test (Flask's test client where it suffices, waitress
on a free port of 127.0.0.1 where it matters), a clock the test moves, mail kept in
memory, and browsers that keep their cookies and send the portal's CSRF token."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from smtp_servers import free_port

BASE = "http://127.0.0.1:8000"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"(https?://\S+)/login/([A-Za-z0-9_-]+)")
CODE = re.compile(r"\b([A-Z0-9]{3})-([A-Z0-9]{3})\b")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **span: float) -> None:
        self.now += timedelta(**span)


def populate(url: str) -> None:
    """Two students with addresses, one coordinator-to-be, an activity or two."""
    from conftest import Tracker

    tracker = Tracker(url)
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2025-09",
            "--email", "Ada.Jansen@example.org")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2025-09",
            "--email", "bram@example.org")
    # Bram follows the older programme: colloquia count for him, career events do not.
    tracker("student", "override", "s7654321", "alc", "--reason", "individual programme")
    tracker("activity", "add", "colloquium", "--date", "2026-11-05", "--title",
            "Peer colloquium: organoids")
    tracker("attend", "1", "s1234567")
    tracker("activity", "add", "colloquium", "--date", "2027-01-14", "--title",
            "Peer colloquium: PK/PD")
    tracker("activity", "add", "career-event", "--date", "2027-02-08", "--title",
            "Science Career Event")


@dataclass
class Portal:
    """One app over one database, with its clock and its mail."""

    url: str
    app: Any
    clock: Clock
    postbox: Any
    base: str = BASE

    @property
    def db(self) -> Any:
        return self.app.extensions["tracker"].db

    def deliver(self) -> int:
        """What the background worker does, now."""
        return int(self.app.extensions["tracker"].mail.run_once())

    def last_mail(self) -> tuple[str, str]:
        """(link token, code) of the newest sign-in mail."""
        body = self.postbox.messages[-1].get_content()
        link, code = LINK.search(body), CODE.search(body)
        assert link is not None and code is not None, body
        return link.group(2), code.group(1) + code.group(2)

    def browser(self) -> Browser:
        return Browser(self.app.test_client(), self.base)


def make_portal(url: str, base: str = BASE, clock: Clock | None = None) -> Portal:
    from tracker.web import create_app
    from tracker.web.mail import MemoryPostbox

    postbox = MemoryPostbox()
    the_clock = clock or Clock()
    app = create_app(url, base_url=base, postbox=postbox, clock=the_clock,
                     background_mail=False)
    return Portal(url, app, the_clock, postbox, base)


@pytest.fixture
def portal(db_url: str) -> Portal:
    populate(db_url)
    return make_portal(db_url)


@pytest.fixture
def sqlite_portal(sqlite_url: str) -> Portal:
    populate(sqlite_url)
    return make_portal(sqlite_url)


@dataclass
class Browser:
    """A browser on Flask's test client: its cookies, and the token of its last page."""

    client: Any
    base: str
    token: str | None = None
    last: Any = None
    token_of: str | None = None  # the cookie the token belongs to

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        self._remember(response)
        return response

    def post(self, path: str, data: dict[str, str] | None = None, *, origin: str | None = None,
             token: str | None = None, headers: dict[str, str] | None = None) -> Any:
        if token is None and (self.token is None or self.token_of != self.cookie()):
            self.get("/login/code")  # a page of this browser's cookie, for its token
        form = {"csrf_token": token if token is not None else self.token or "", **(data or {})}
        sent = {"Origin": origin if origin is not None else self.base, **(headers or {})}
        response = self.client.post(path, data=form, headers=sent)
        self._remember(response)
        return response

    def _remember(self, response: Any) -> None:
        self.last = response
        found = CSRF.search(response.get_data(as_text=True)) if response.mimetype == \
            "text/html" else None
        if found:
            self.token, self.token_of = found.group(1), self.cookie()

    def cookie(self, name: str = "tracker") -> str | None:
        found = self.client.get_cookie(name)
        return found.value if found is not None else None

    def ask(self, identity: str) -> Any:
        return self.post("/login", {"identity": identity})

    def sign_in(self, portal: Portal, identity: str, otp: str | None = None) -> Any:
        """The whole flow: ask, the mail leaves, open the link, press the button."""
        assert self.ask(identity).status_code == 200
        assert portal.deliver() >= 1
        token, _ = portal.last_mail()
        assert self.get(f"/login/{token}").status_code == 200
        return self.post(f"/login/{token}", {"otp": otp} if otp else {})


def enrol(portal: Portal) -> str:
    """A coordinator, coordinator@example.org; returns their TOTP key."""
    from tracker.service.portal.coordinators import add_coordinator

    return add_coordinator(portal.db, "Coordinator@example.org", "Dr. C. Oordinator").secret


def sign_in_coordinator(portal: Portal) -> Browser:
    secret = enrol(portal)
    browser = portal.browser()
    response = browser.sign_in(portal, "coordinator@example.org", otp_now(secret, portal.clock))
    assert response.status_code == 303, response.get_data(as_text=True)
    return browser


def otp_now(secret: str, clock: Clock, steps: int = 0) -> str:
    import pyotp

    return pyotp.TOTP(secret).at(clock.now + timedelta(seconds=30 * steps))


# --- a real server ---------------------------------------------------------------------------


@dataclass
class Served:
    base: str
    portal: Portal
    server: Any = None
    thread: threading.Thread | None = None
    extra: list[Any] = field(default_factory=list)


def stop_serving(server: Any, thread: threading.Thread | None) -> None:
    """Stop a waitress server running in ``thread``: its channels are closed by its own
    loop (closing them from here would pull the sockets from under its select)."""
    def close_all() -> None:
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(close_all)
    if thread is not None:
        thread.join(timeout=10)
    server.task_dispatcher.shutdown()


@pytest.fixture
def served(db_url: str) -> Iterator[Callable[..., Served]]:
    """Starts the app under waitress on a free port of 127.0.0.1 (in a thread)."""
    from waitress.server import create_server

    from tracker.web.app import MAX_BODY

    running: list[Served] = []

    def start(url: str | None = None, *, trusted_proxy: str | None = None,
              clock: Clock | None = None, populate_first: bool = True) -> Served:
        target = url or db_url
        if populate_first and not running:
            populate(target)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        portal = make_portal(target, base, clock)
        options: dict[str, Any] = {}
        if trusted_proxy:
            options = {"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
                       "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
                       "clear_untrusted_proxy_headers": True}
        server = create_server(portal.app, host="127.0.0.1", port=port, threads=8,
                               max_request_body_size=8 * MAX_BODY, **options)  # as serve
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        handle = Served(base, portal, server, thread)
        running.append(handle)
        return handle

    try:
        yield start
    finally:
        for handle in running:
            stop_serving(handle.server, handle.thread)


# --- a browser over real HTTP ----------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: Any
    body: str

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def cookies_set(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


@dataclass
class HttpBrowser:
    """Keeps its cookie and its page's CSRF token, over http.client (no redirects
    followed: each answer is looked at)."""

    base: str
    cookie: str | None = None
    token: str | None = None
    forwarded_for: str | None = None
    token_of: str | None = None
    device: str | None = None  # the door's cookie of this browser

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        import http.client
        from urllib.parse import urlencode, urlsplit

        where = urlsplit(self.base)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        sent = {**(headers or {})}
        jar = [f"tracker={self.cookie}"] if self.cookie else []
        if self.device:
            jar.append(f"tracker-device={self.device}")
        if jar:
            sent["Cookie"] = "; ".join(jar)
        if self.forwarded_for:
            sent["X-Forwarded-For"] = self.forwarded_for
        body = None
        if form is not None:
            body = urlencode(form)
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            sent.setdefault("Origin", self.base)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers,
                            response.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        for header in answer.cookies_set:
            name, _, rest = header.partition("=")
            value = rest.split(";")[0]
            if name == "tracker":
                self.cookie = value if "Max-Age=0" not in header else None
            elif name == "tracker-device":
                self.device = value
        found = CSRF.search(answer.body)
        if found:
            self.token, self.token_of = found.group(1), self.cookie
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str] | None = None) -> Answer:
        if self.token is None or self.token_of != self.cookie:
            self.get("/login/code")
        return self.request("POST", path, {"csrf_token": self.token or "", **(form or {})})
