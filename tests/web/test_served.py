"""The portal under waitress on 127.0.0.1, where it matters: two clicks at once, the
trusted proxy, real SMTP, and two `tracker serve` processes sharing one PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from smtp_servers import free_port, smtp_server
from sqlalchemy import func, select

from tracker.db.engine import Database, resolve_url
from tracker.db.models import SignInRequest, WebSession

from .conftest import CODE, LINK, HttpBrowser, populate


def count(db, model, *where) -> int:
    with db.transaction(read_only=True) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def at_once(calls):
    """Run the calls in threads released together; their results in order."""
    results: list[object] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_clicks_at_once_make_one_session(served):
    server = served()
    browser = HttpBrowser(server.base)
    assert browser.post("/login", {"identity": "s1234567"}).status == 200
    server.portal.deliver()
    token, _ = server.portal.last_mail()
    browser.get(f"/login/{token}")
    form = {"csrf_token": browser.token or ""}

    def click():
        twin = HttpBrowser(server.base, cookie=browser.cookie, token=browser.token)
        return twin.request("POST", f"/login/{token}", form)

    first, second = at_once([click, click])
    assert count(server.portal.db, WebSession) == 1
    answers = sorted([first, second], key=lambda a: len(a.cookies_set))
    assert answers[0].status == 303 and answers[0].header("Location") == "/"
    assert answers[0].cookies_set == []
    assert answers[1].status == 303 and answers[1].header("Location") == "/me"
    signed_in = HttpBrowser(server.base)
    signed_in.request("GET", "/")  # (an anonymous cookie, then the session's)
    signed_in.cookie = answers[1].cookies_set[0].split(";")[0].split("=", 1)[1]
    assert signed_in.get("/me").status == 200


def test_the_trusted_proxy_alone_is_believed(served):
    plain = served()
    behind = served(trusted_proxy="127.0.0.1")
    for server, told, expected in ((plain, "198.51.100.7", "127.0.0.1"),
                                   (behind, "198.51.100.7", "198.51.100.7")):
        browser = HttpBrowser(server.base, forwarded_for=told)
        assert browser.post("/login", {"identity": "s7654321"}).status == 200
        with server.portal.db.transaction(read_only=True) as session:
            clients = set(session.scalars(select(SignInRequest.client)))
        assert expected in clients


def test_a_lecture_hall_behind_the_proxy_gets_in(served):
    """60 mails per address: behind the proxy, each student's own address counts."""
    server = served(trusted_proxy="127.0.0.1")
    for number in range(70):
        browser = HttpBrowser(server.base, forwarded_for=f"10.1.{number // 200}.{number % 200}")
        assert browser.post("/login", {"identity": f"s{2000000 + number}"}).status == 200


def test_the_mail_leaves_in_the_background_by_smtp(db_url, monkeypatch):
    from tracker.mail.smtp import SmtpSettings
    from tracker.web.mail import SmtpPostbox

    populate(db_url)
    with smtp_server() as mail_server:
        monkeypatch.delenv("TRACKER_SMTP_PASSWORD", raising=False)
        postbox = SmtpPostbox(SmtpSettings.parse(mail_server.url), "AASCO <aasco@example.org>")
        from tracker.web import create_app

        app = create_app(db_url, base_url="http://127.0.0.1:8000", postbox=postbox)
        client = app.test_client()
        page = client.get("/").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        answer = client.post("/login", data={"identity": "s1234567", "csrf_token": token},
                             headers={"Origin": "http://127.0.0.1:8000"})
        assert answer.status_code == 200
        for _ in range(100):  # the worker thread sends it; the answer did not wait
            if mail_server.inbox.messages:
                break
            time.sleep(0.1)
        app.extensions["tracker"].mail.stop()
        [message] = mail_server.inbox.messages
        assert mail_server.inbox.recipients == ["Ada.Jansen@example.org"]
        assert message["From"] == "AASCO <aasco@example.org>"
        assert LINK.search(message.get_content()) and CODE.search(message.get_content())


# --- two processes ----------------------------------------------------------------------------


def start_serving(url: str, outbox: Path, port: int, *options: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_SMTP")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", url, "serve", "--port", str(port),
         "--outbox", str(outbox), "--threads", "4", *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    said = []
    for line in process.stdout:
        said.append(line)
        if line.startswith("Stop with Ctrl+C."):
            break
    else:
        raise AssertionError("".join(said))
    assert f"listening on http://127.0.0.1:{port}" in "".join(said)
    process.said = "".join(said)  # type: ignore[attr-defined]
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep it drained
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if HttpBrowser(base).get("/healthz").status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer")


def mails_in(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.exists() for p in folder.glob("*.eml"))


@pytest.mark.postgres
def test_two_serve_processes_share_limits_sessions_and_the_queue(postgres_url, tmp_path):
    populate(postgres_url)
    outboxes = [tmp_path / "a", tmp_path / "b"]
    ports = [free_port(), free_port()]
    processes = [start_serving(postgres_url, box, port)
                 for box, port in zip(outboxes, ports, strict=True)]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        browsers = [HttpBrowser(bases[i % 2]) for i in range(6)]
        for browser in browsers:
            browser.get("/")
        answers = at_once([lambda b=b: b.post("/login", {"identity": "s1234567"})
                           for b in browsers])
        assert sorted(a.status for a in answers) == [200, 200, 200, 429, 429, 429]
        db = Database.from_url(resolve_url(postgres_url))
        for _ in range(100):
            if len(mails_in(*outboxes)) >= 3 and not count(
                    db, SignInRequest, SignInRequest.state.in_(("queued", "sending"))):
                break
            time.sleep(0.1)
        mails = mails_in(*outboxes)
        assert len(mails) == 3  # each request mailed once, by one of the two
        assert count(db, SignInRequest, SignInRequest.state == "sent") == 3

        body = message_from_bytes(mails[0].read_bytes(), policy=default).get_content()
        token = LINK.search(body).group(2)
        asking = next(b for b, a in zip(browsers, answers, strict=True) if a.status == 200)
        on_a = HttpBrowser(bases[0], cookie=asking.cookie)
        on_a.get(f"/login/{token}")
        assert on_a.post(f"/login/{token}").status == 303
        on_b = HttpBrowser(bases[1], cookie=on_a.cookie)
        assert on_b.get("/me").status == 200  # the session is a row: B knows it
        assert on_b.post("/logout").status == 200
        assert HttpBrowser(bases[0], cookie=on_a.cookie).get("/me").status == 303
        db.dispose()
    finally:
        for process in processes:
            process.terminate()
    assert [process.wait(timeout=20) for process in processes] == [0, 0]


def test_serve_passes_the_trusted_proxy_to_waitress_and_says_how_mail_leaves(sqlite_url,
                                                                             tmp_path):
    populate(sqlite_url)
    port = free_port()
    process = start_serving(sqlite_url, tmp_path / "outbox", port, "--trusted-proxy",
                            "127.0.0.1")
    try:
        said = process.said  # type: ignore[attr-defined]
        assert f"database: sqlite:///{sqlite_url}" in said
        assert f"mail: written to {tmp_path / 'outbox'} as .eml files (nothing is sent)" in said
        assert "proxy: X-Forwarded-For and -Proto believed from 127.0.0.1 only" in said
        browser = HttpBrowser(f"http://127.0.0.1:{port}", forwarded_for="203.0.113.9")
        assert browser.post("/login", {"identity": "s1234567"}).status == 200
        db = Database.from_url(resolve_url(sqlite_url))
        with db.transaction(read_only=True) as session:
            assert list(session.scalars(select(SignInRequest.client))) == ["203.0.113.9"]
        db.dispose()
        for _ in range(100):
            if mails_in(tmp_path / "outbox"):
                break
            time.sleep(0.1)
        assert len(mails_in(tmp_path / "outbox")) == 1
    finally:
        process.terminate()
    assert process.wait(timeout=20) == 0


def test_serve_demo_needs_no_mail_server_and_prints_sign_in_links(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TRACKER_SMTP", "TRACKER_DATABASE"))}
    env["TRACKER_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tracker", "serve", "--demo", "--port",
                                str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=env)
    assert process.stdout is not None
    said = []
    try:
        for line in process.stdout:
            said.append(line)
            if line.startswith("Stop with Ctrl+C."):
                break
        text = "".join(said)
        assert "mail: printed here (a demo: nothing is sent)" in text
        assert "otpauth://totp/tracker:coordinator%40demo.example.org" in text
        links = LINK.findall(text)
        assert len(links) == 2, text
        threading.Thread(target=process.stdout.read, daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        student = HttpBrowser(base)
        confirm = student.get(f"/login/{links[0][1]}")
        assert confirm.status == 200 and "Sign in as" in confirm.body
        assert student.post(f"/login/{links[0][1]}").status == 303
        assert "Coming up that counts" in student.get("/me").body
    finally:
        process.terminate()  # as a service manager stops it
    assert process.wait(timeout=20) == 0


def test_a_phone_photo_of_8_mb_gets_the_portals_sentence_not_waitresss_page(served):
    """waitress refused a body over 7 MB with its own bare page; the portal's sentence
    (413) names the limit and what to do instead."""
    server = served()
    browser = HttpBrowser(server.base)
    browser.get("/")
    big = browser.post("/login", {"identity": "s1234567", "photo": "x" * (8 * 1024 * 1024)})
    assert big.status == 413
    assert "at most 5 MB" in big.body and "max_body" not in big.body
