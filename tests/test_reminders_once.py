"""Reminders exactly once, against real SMTP servers on 127.0.0.1 and real processes:
a refused recipient is recorded and the run goes on; two runs at once remind each
student once; a run killed between the server's answer and the record, or one whose
record meets a locked database, leaves "may have been sent", never a second message."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_servers import smtp_server

AS_OF = "2026-01-15"
SENDER = "AASCO coordinator <aasco@example.org>"
STUDENTS = [(f"s200000{i}", f"Student {i}", f"student{i}@example.org") for i in range(1, 7)]


def register(tracker, folder: Path):
    """The six students, by a class list."""
    (folder / "six.csv").write_text("student_number,name,email,start\n" + "".join(
        f"{n},{name},{email},2025-09\n" for n, name, email in STUDENTS))
    tracker("student", "import", str(folder / "six.csv"))
    return tracker


@pytest.fixture
def cohort(tracker, tmp_path):
    return register(tracker, tmp_path)


def remind(tracker, *args: str, expect: int | None = 0):
    return tracker("remind", "--as-of", AS_OF, "--from", SENDER, *args, expect=expect)


def command(url: str, smtp: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "--db", url, "remind", "--as-of", AS_OF,
            "--send", "--smtp", smtp, "--from", SENDER]


def test_a_refused_recipient_is_recorded_named_and_the_run_goes_on(cohort):
    with smtp_server(refuse={"student2@example.org"}) as server:
        result = remind(cohort, "--send", "--smtp", server.url, expect=1)
        assert sorted(server.inbox.recipients) == [
            e for _, _, e in STUDENTS if e != "student2@example.org"]
    assert "refused s2000002  Student 2 <student2@example.org>: the server refused the " \
           "address student2@example.org (550" in result.stderr
    assert "sent 5 of 6 reminders; 1 refused by the server" in result.stderr
    assert "Traceback" not in result.output
    assert cohort.json("student", "show", "s2000002")["reminders"] == 0
    assert cohort.json("student", "show", "s2000003")["reminders"] == 1
    assert cohort.json("history")[0]["summary"] == \
        "reminded 5 student(s) by e-mail, 1 refused by the server"
    with smtp_server() as server:  # the address corrected: the rest were reminded already
        cohort("student", "edit", "s2000002", "--email", "student.two@example.org")
        again = remind(cohort, "--send", "--smtp", server.url)
        assert server.inbox.recipients == ["student.two@example.org"]
    assert "sent 1 reminder(s)" in again.stdout


def test_two_runs_at_once_remind_each_student_once(cohort):
    with smtp_server(delay=0.05) as server:
        runs = [subprocess.Popen(command(cohort.url, server.url), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        assert sorted(server.inbox.recipients) == sorted(e for _, _, e in STUDENTS)
    said = "".join(out + err for out, err in outputs)
    assert said.count("  sent to ") == len(STUDENTS)
    assert "Traceback" not in said
    shown = [cohort.json("student", "show", n)["reminders"] for n, _, _ in STUDENTS]
    assert shown == [1] * len(STUDENTS)


def test_a_run_killed_after_the_server_took_a_message_never_sends_it_again(cohort):
    run: dict[str, subprocess.Popen[str]] = {}

    def kill_the_tracker(count: int) -> None:
        if count == 2:  # the server has the second message; the tracker hears nothing
            run["remind"].send_signal(signal.SIGKILL)
            run["remind"].wait()

    with smtp_server(on_message=kill_the_tracker) as server:
        run["remind"] = subprocess.Popen(command(cohort.url, server.url), text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        run["remind"].communicate(timeout=120)
        assert run["remind"].returncode == -signal.SIGKILL
        first = list(server.inbox.recipients)
    assert len(first) == 2
    with smtp_server() as server:
        again = remind(cohort, "--send", "--smtp", server.url)
        assert sorted(first + server.inbox.recipients) == sorted(e for _, _, e in STUDENTS)
    assert "skipped s2000002 Student 2: a reminder was on its way at " in again.stderr
    assert "it may have been sent" in again.stderr
    with smtp_server() as server:  # said on purpose: send it after all
        remind(cohort, "--send", "--smtp", server.url, "--skip-reminded-days", "0",
               "s2000002")
        assert server.inbox.recipients == ["student2@example.org"]


def test_a_locked_database_while_recording_never_makes_the_rerun_send_twice(
        sqlite_tracker, tmp_path, monkeypatch):
    from tracker.db import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)
    register(sqlite_tracker, tmp_path)
    locker: dict[str, sqlite3.Connection] = {}

    def lock_the_database(count: int) -> None:
        if count == 3:  # another program holds the write lock from now on
            connection = sqlite3.connect(sqlite_tracker.url, isolation_level=None,
                                         check_same_thread=False)
            connection.execute("BEGIN IMMEDIATE")
            locker["connection"] = connection

    with smtp_server(on_message=lock_the_database) as server:
        stopped = remind(sqlite_tracker, "--send", "--smtp", server.url, expect=1)
        assert len(server.inbox.recipients) == 3
        first = list(server.inbox.recipients)
    locker["connection"].rollback()
    locker["connection"].close()
    last = stopped.stderr.strip().splitlines()[-1]
    assert last.startswith("sent 3 of 6 reminders, 3 not sent: s2000003 was sent but that "
                           "could not be recorded (database is locked)"), last
    assert "Traceback" not in stopped.output
    with smtp_server() as server:
        again = remind(sqlite_tracker, "--send", "--smtp", server.url)
        assert sorted(first + server.inbox.recipients) == sorted(e for _, _, e in STUDENTS)
    assert "skipped s2000003 Student 3: a reminder was on its way" in again.stderr


@pytest.mark.parametrize("days", ["1000000", "99999999999999999999"])
def test_a_skip_window_beyond_any_date_is_a_sentence(cohort, days):
    result = remind(cohort, "--skip-reminded-days", days, expect=2)
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert f"--skip-reminded-days {days}: give a number of days from 0 to 36,500" in \
        result.output


def test_a_server_without_login_is_said_in_words(cohort, monkeypatch):
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "secret")
    with smtp_server() as server:
        url = server.url.replace("smtp://", "smtp://aasco@")
        result = remind(cohort, "--send", "--smtp", url, expect=1)
    assert "SMTPNotSupportedError" not in result.output
    assert "the server offers no login (SMTP AUTH)" in result.stderr
    assert "secret" not in result.output


def test_times_are_local_as_in_the_history(cohort, monkeypatch):
    import time
    from datetime import datetime

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30, no summer time
    time.tzset()
    try:
        with smtp_server() as server:
            remind(cohort, "--send", "--smtp", server.url, "s2000001")
            again = remind(cohort, "--send", "--smtp", server.url, "s2000001")
        sent = datetime.fromisoformat(cohort.json("student", "show",
                                                  "s2000001")["last_reminded"])
        assert f"reminded {sent.astimezone():%Y-%m-%d %H:%M}" in again.stderr
        assert "UTC" not in again.stderr
        assert sent.astimezone().utcoffset().total_seconds() == 5.5 * 3600
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_portal_can_send_one_message_through_the_same_path(tmp_path):
    """A sign-in link: one message, written to an outbox and sent, by the one path."""
    from email import message_from_bytes
    from email.policy import default

    from tracker.service.mail import Letter, NotSent, post_one, route

    letter = Letter("Ada Jansen", "ada@example.org", "Sign in to the tracker",
                    "Your link: https://tracker.example.org/login/abc\n", None, "login-ada")
    with smtp_server() as server:
        posted = post_one(route(SENDER, send=True, smtp_url=server.url,
                                outbox=tmp_path / "out"), letter)
        assert posted.outcome == "sent" and server.inbox.recipients == ["ada@example.org"]
        message = server.inbox.messages[0]
        assert message.get_content_type() == "text/plain"
        assert message.get_content().replace("\r\n", "\n") == letter.text
    written = message_from_bytes((tmp_path / "out" / "login-ada.eml").read_bytes(),
                                 policy=default)
    assert written["Subject"] == "Sign in to the tracker"
    with smtp_server(refuse={"ada@example.org"}) as server, \
            pytest.raises(NotSent, match=r"refused the address ada@example\.org"):
        post_one(route(SENDER, send=True, smtp_url=server.url), letter)
    assert os.stat(tmp_path / "out").st_mode & 0o077 == 0
    assert Path(tmp_path / "out").is_dir()
