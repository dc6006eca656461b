"""Reminders through real SMTP servers on 127.0.0.1: a preview that sends and records
nothing, an outbox, delivery recorded as it happens, nobody reached twice, a server
that fails half-way, STARTTLS with a login, and bad input refused before anything."""

from __future__ import annotations

import csv
import io
import json
import re
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from html import unescape
from pathlib import Path

import pytest
from smtp_servers import smtp_server
from sqlalchemy import create_engine, select

from tracker.db.engine import resolve_url
from tracker.db.models import all_models

AS_OF = "2026-01-15"
SENDER = "AASCO coordinator <aasco@example.org>"
SECRET = "s3cret-Pa55word-x9"
STUDENTS = [("s2000001", "Ada Jansen", "ada@example.org"),
            ("s2000002", "Bram de Vries", "bram@example.org"),
            ("s2000003", "Ngọc Ánh Nguyen", "anh@example.org"),
            ("s2000004", "Daan Bakker", "daan@example.org"),
            ("s2000005", "Eva Smit", "")]


@pytest.fixture
def cohort(tracker, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"{n},{name},{email},2025-09\n" for n, name, email in STUDENTS))
    tracker("student", "import", str(roster))
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2025-10-02,Peer colloquium 1\n"
                        "career-event,2025-11-06,Science Career Event\n"
                        "colloquium,2026-02-05,Peer colloquium 2\n"
                        "colloquium,2026-03-05,Peer colloquium 3\n")
    tracker("activity", "import", str(schedule))
    tracker("attend", "1", "s2000001", "s2000002")
    tracker("attend", "2", "s2000001")
    return tracker


def remind(tracker, *args: str, expect: int = 0, env: dict[str, str] | None = None):
    return tracker("remind", "--as-of", AS_OF, *args, expect=expect)


def state(tracker) -> str:
    return tracker("history", "--all", "--format", "csv").stdout


def test_a_preview_sends_and_records_nothing(cohort, tmp_path):
    before = state(cohort)
    with smtp_server() as server:
        result = remind(cohort, "--smtp", server.url)
        assert server.inbox.messages == []
    assert "would remind 4 student(s), as of 2026-01-15" in result.stdout
    assert "s2000001  Ada Jansen <ada@example.org>: Career orientation:" in result.stdout
    assert "skipped s2000005 Eva Smit: no e-mail address" in result.stderr
    assert "nothing sent or recorded" in result.stderr
    assert state(cohort) == before


def test_the_outbox_holds_one_message_per_student(cohort, tmp_path):
    outbox = tmp_path / "outbox"
    before = state(cohort)
    remind(cohort, "--outbox", str(outbox), "--from", SENDER)
    files = sorted(p.name for p in outbox.iterdir())
    assert files == ["s2000001.eml", "s2000002.eml", "s2000003.eml", "s2000004.eml"]
    message = message_from_bytes((outbox / "s2000003.eml").read_bytes(), policy=default)
    assert message["To"] == "Ngọc Ánh Nguyen <anh@example.org>"
    assert message["From"] == SENDER
    text = message.get_body(("plain",)).get_content()
    html = unescape(message.get_body(("html",)).get_content())
    assert text.startswith("Dear Ngọc,")
    assert "Colloquia by peers: 0 of 6 done, at risk" in text
    assert "6 more needed, 2 scheduled before 2027-08-31" in text
    assert "2026-02-05  Peer colloquium 2" in text
    assert "<h1>Ngọc Ánh Nguyen" in html and 'data-requirement="colloquia"' in html
    assert text.rstrip().endswith("Kind regards,\nAASCO coordinator")  # the sender's name
    assert state(cohort) == before


def test_messages_are_what_the_email_package_would_make(cohort, tmp_path):
    outbox = tmp_path / "outbox"
    remind(cohort, "--outbox", str(outbox), "--from", SENDER, "s2000003")
    raw = (outbox / "s2000003.eml").read_bytes()
    ours = message_from_bytes(raw, policy=default)
    theirs = EmailMessage()
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        theirs[header] = ours[header]
    theirs.set_content(ours.get_body(("plain",)).get_content())
    theirs.add_alternative(ours.get_body(("html",)).get_content(), subtype="html")
    again = message_from_bytes(theirs.as_bytes(), policy=default)
    for header in ("From", "To", "Subject", "Date", "Message-ID", "Content-Type"):
        assert str(ours[header]).split(";")[0] == str(again[header]).split(";")[0], header
    assert [p.get_content() for p in ours.iter_parts()] == [
        p.get_content() for p in again.iter_parts()]
    assert all(len(line) <= 998 for line in raw.split(b"\n"))
    assert raw.isascii()


def test_send_records_each_delivery_and_reaches_nobody_twice(cohort):
    with smtp_server() as server:
        sent = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER, "--by",
                      "Dr. Smit")
        assert "sent 4 reminder(s)" in sent.stdout
        assert sorted(server.inbox.recipients) == [
            "ada@example.org", "anh@example.org", "bram@example.org", "daan@example.org"]
        subjects = {m["To"].addresses[0].addr_spec: m["Subject"]
                    for m in server.inbox.messages}
        assert subjects["bram@example.org"].startswith("Career orientation: ")
        text = server.inbox.messages[0].get_body(("plain",)).get_content()
        assert text.rstrip().endswith("Kind regards,\nDr. Smit")
        again = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER)
        assert "reminding 0 student(s)" in again.stdout
        assert "skipped s2000001 Ada Jansen: reminded " in again.stderr
        assert len(server.inbox.messages) == 4
    history = cohort.json("history", "s2000002")
    assert (history[0]["command"], history[0]["by"]) == ("remind", "Dr. Smit")
    assert history[0]["summary"] == "reminded 4 student(s) by e-mail"
    shown = cohort.json("student", "show", "s2000002")
    assert shown["reminders"] == 1 and shown["last_reminded"]
    exported = json.loads(cohort("student", "export", "s2000002").stdout)
    assert exported["reminders"][0]["address"] == "bram@example.org"
    assert "colloquia" in exported["reminders"][0]["requirements"]
    cohort("attend", "1", "s2000003")
    cohort("undo")  # passes over the reminders to the attendance
    assert cohort.json("history")[1]["command"] == "attend"
    with smtp_server() as server:
        forced = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER,
                        "--skip-reminded-days", "0", "s2000004")
        assert "sent 1 reminder(s)" in forced.stdout


def test_a_server_that_fails_half_way_leaves_an_exact_account(cohort):
    with smtp_server(drop_after=2) as server:
        failed = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER, expect=1)
        assert len(server.inbox.messages) == 2
    line = failed.stderr.strip().splitlines()[-1]
    assert line.startswith("sent 2 of 4 reminders, 2 not sent: ")
    assert "closed the connection" in line or "421" in line
    assert cohort.json("student", "show", "s2000001")["reminders"] == 1
    with smtp_server() as server:
        rest = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER)
        assert "sent 2 reminder(s)" in rest.stdout
        assert sorted(server.inbox.recipients) == ["anh@example.org", "daan@example.org"]


def test_an_unreachable_server_is_one_line_and_exit_1(cohort):
    from smtp_servers import free_port

    result = remind(cohort, "--send", "--smtp", f"smtp://127.0.0.1:{free_port()}",
                    "--from", SENDER, expect=1)
    assert result.stderr.strip().splitlines()[-1].startswith(
        "sent 0 of 4 reminders, 4 not sent: smtp://127.0.0.1:")
    assert cohort.json("student", "show", "s2000001")["reminders"] == 0


def test_starttls_and_a_login_with_the_password_never_shown(cohort, tmp_path,
                                                           monkeypatch):
    with smtp_server(tls=True, password=SECRET, tmp_path=tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", server.ca_file)
        missing = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER, expect=2)
        assert "TRACKER_SMTP_PASSWORD" in missing.output
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "wrong")
        refused = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER, expect=1)
        assert "refused the user name or password" in refused.output
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", SECRET)
        sent = remind(cohort, "--send", "--smtp", server.url, "--from", SENDER)
        assert len(server.inbox.messages) == 4 and server.inbox.logins
        outputs = missing.output + refused.output + sent.output
    monkeypatch.delenv("SSL_CERT_FILE")
    assert SECRET not in outputs
    assert SECRET not in cohort("history", "--all", "--format", "json").stdout
    engine = create_engine(resolve_url(cohort.url))
    with engine.connect() as connection:
        stored = "\n".join(repr(row) for table in all_models().metadata.sorted_tables
                           for row in connection.execute(select(table)))
    engine.dispose()
    assert SECRET not in stored and "ada@example.org" in stored


@pytest.mark.parametrize("args, problem", [
    (["--send", "--smtp", "smtp://127.0.0.1:1"], "say who the mail is from"),
    (["--send", "--smtp", "smtp://127.0.0.1:1", "--from", "not an address"],
     "is not an e-mail address"),
    (["--outbox", "{tmp}/out", "--from", "a@b"], "is not an e-mail address"),
    (["--send", "--from", SENDER], "say which mail server"),
    (["--send", "--from", SENDER, "--smtp", "http://mail.example.org"],
     "is not valid: expected smtp://"),
    (["--send", "--from", SENDER, "--smtp", "smtp://u:pw@mail.example.org"],
     "holds a password: leave it out"),
    (["--send", "--from", SENDER, "--smtp", "smtp://mail.example.org:99999"],
     "is not valid"),
    (["--template", "{tmp}/unknown.txt"], "unknown name(s) nmae"),
    (["--template", "{tmp}/broken.txt"], "line 1: "),
    (["--template", "{tmp}/plain.txt"], "extends \"reminder.txt.j2\""),
    (["s2000001", "s9999999"], "no student s9999999"),
    (["--outbox", "{tmp}/missing/out", "--from", SENDER], "does not exist"),
])
def test_bad_input_is_refused_before_anything_is_sent(cohort, tmp_path, args, problem):
    (tmp_path / "unknown.txt").write_text('{% extends "reminder.txt.j2" %}'
                                          "{% block message %}Hi {{ nmae }}{% endblock %}")
    (tmp_path / "broken.txt").write_text("{% block subject %}{{ name {% endblock %}")
    (tmp_path / "plain.txt").write_text("Hello {{ name }}")
    before = state(cohort)
    with smtp_server() as server:
        arguments = [a.replace("{tmp}", str(tmp_path)) for a in args]
        if "--smtp" not in arguments and "--send" in arguments and "say which" not in problem:
            arguments += ["--smtp", server.url]
        result = remind(cohort, *arguments, expect=2)
        assert server.inbox.messages == []
    assert problem in result.output, result.output
    assert state(cohort) == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_coordinators_own_wording(cohort, tmp_path):
    template = tmp_path / "ours.txt"
    template.write_text('{% extends "reminder.txt.j2" %}\n'
                        "{% block subject %}AASCO: {{ items|length }} to do{% endblock %}\n"
                        "{% block message %}Beste {{ first_name }}, de zomer nadert."
                        "{% endblock %}\n")
    outbox = tmp_path / "outbox"
    remind(cohort, "--template", str(template), "--outbox", str(outbox), "--from", SENDER,
           "s2000001")
    message = message_from_bytes((outbox / "s2000001.eml").read_bytes(), policy=default)
    assert message["Subject"].startswith("AASCO: ") and message["Subject"].endswith(" to do")
    assert message.get_body(("plain",)).get_content().startswith(
        "Dear Ada,\n\nBeste Ada, de zomer nadert.\n\nStill to do:\n")
    assert "Beste Ada, de zomer nadert." in unescape(message.get_body(("html",)).get_content())


def test_forget_erases_the_reminders(cohort):
    with smtp_server() as server:
        remind(cohort, "--send", "--smtp", server.url, "--from", SENDER, "s2000001")
    cohort("student", "forget", "s2000001", "--yes")
    engine = create_engine(resolve_url(cohort.url))
    with engine.connect() as connection:
        stored = "\n".join(repr(row) for table in all_models().metadata.sorted_tables
                           for row in connection.execute(select(table)))
    engine.dispose()
    assert "ada@example.org" not in stored


def test_brightspace_per_requirement(cohort, tmp_path):
    output = tmp_path / "grades.csv"
    cohort("export", "brightspace", "--item", "AASCO", "--per-requirement", "--as-of",
           AS_OF, "-o", str(output))
    raw = output.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # CRLF, as Brightspace writes it
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8"), newline=""))
    assert header[:2] == ["OrgDefinedId", "Username"]
    assert header[-2:] == ["AASCO Text Grade", "End-of-Line Indicator"]
    assert "AASCO - Colloquia by peers Points Grade" in header
    assert "AASCO - Reflection 1 You are here! Points Grade" in header
    assert all(row[-1] == "#" and len(row) == len(header) for row in rows)
    ada = dict(zip(header, next(row for row in rows if row[0] == "#s2000001"), strict=True))
    assert ada["AASCO - Colloquia by peers Points Grade"] == "1"
    assert ada["AASCO - Career events Points Grade"] == "1"
    assert ada["AASCO Text Grade"].startswith("Still to do: Introductory meeting")
    assert "Colloquia by peers (5 more), at risk: 2 scheduled before 2027-08-31" in \
        ada["AASCO Text Grade"]
    both = cohort("export", "brightspace", "--item", "X", "--per-requirement",
                  "--complete-points", "2", expect=2)
    assert "takes no --complete-points" in both.output


def test_a_hostile_sender_or_template_value_cannot_add_headers(cohort, tmp_path):
    outbox = tmp_path / "outbox"
    template = tmp_path / "t.txt"
    template.write_text('{% extends "reminder.txt.j2" %}{% block subject %}Hi\r\nBcc: '
                        "x@evil.example{% endblock %}")
    remind(cohort, "--template", str(template), "--outbox", str(outbox), "--from", SENDER,
           "s2000001")
    message = message_from_bytes((outbox / "s2000001.eml").read_bytes(), policy=default)
    assert message["Bcc"] is None and message["Subject"] == "Hi Bcc: x@evil.example"


def test_every_eml_is_named_after_its_student(cohort, tmp_path):
    outbox = tmp_path / "outbox"
    remind(cohort, "--outbox", str(outbox), "--from", SENDER)
    for path in outbox.iterdir():
        message = message_from_bytes(path.read_bytes(), policy=default)
        number = Path(path).stem
        assert number in message.get_body(("html",)).get_content()


def test_the_whole_story_in_every_part_and_the_html_part_is_the_student_page(
        cohort, tmp_path):
    """What counted, what did not and why, and where each reflection stands: in the text
    part, the HTML part (the student's own page) and the grade book's text grade."""
    cohort("activity", "add", "bsp-excursion", "--date", "2025-08-20", "--title",
           "Excursion before the start")
    cohort("attend", "5", "s2000001")
    cohort("attend", "2", "s2000002", "--excused")
    cohort("assignment", "s2000001", "1", "submitted", "--date", "2025-10-10")
    cohort("assignment", "s2000002", "1", "submitted", "--date", "2025-10-10")
    cohort("assignment", "s2000002", "1", "rejected", "--date", "2025-10-20",
           "--feedback", "Say what you learned.")
    outbox = tmp_path / "outbox"
    remind(cohort, "--outbox", str(outbox), "--from", SENDER, "s2000001", "s2000002")
    ada = message_from_bytes((outbox / "s2000001.eml").read_bytes(), policy=default)
    text = ada.get_body(("plain",)).get_content()
    assert "      counted: Peer colloquium 1 (2025-10-02)\n" in text
    assert ("      not counted: Excursion before the start (2025-08-20): before the start "
            "month (2025-09)\n") in text
    assert "submitted — awaiting approval (not approved by 2025-11-30)" in text
    bram = message_from_bytes((outbox / "s2000002.eml").read_bytes(), policy=default)
    told = bram.get_body(("plain",)).get_content()
    assert "rejected — Say what you learned. (not approved by 2025-11-30)" in told
    assert "      not counted: Science Career Event (2025-11-06): excused\n" in told
    html = ada.get_body(("html",)).get_content()
    page = cohort("progress", "s2000001", "--as-of", AS_OF, "--format", "html").stdout
    without_message = re.sub(r'<section class="message">.*?</section>\n', "", html,
                             flags=re.S)
    assert unescape(without_message).rstrip() == unescape(page).rstrip()  # + the message
    assert "before the start month (2025-09)" in unescape(html)
    assert "submitted — awaiting approval" in unescape(html)
    grades = tmp_path / "grades.csv"
    cohort("export", "brightspace", "--item", "AASCO", "--per-requirement", "--as-of",
           AS_OF, "-o", str(grades))
    rows = {row["OrgDefinedId"]: row for row in csv.DictReader(io.StringIO(
        grades.read_text(encoding="utf-8"), newline=""))}
    said = rows["#s2000001"]["AASCO Text Grade"]
    assert "Reflection 1 You are here! (submitted — awaiting approval), overdue since " \
           "2025-11-30" in said.replace(":", "")
    assert "Bio Science Park excursion — not counted: Excursion before the start " \
           "(2025-08-20): before the start month (2025-09)." in said
    assert "Colloquia by peers — counted: Peer colloquium 1 (2025-10-02)." in said
    assert "(rejected — Say what you learned.)" in rows["#s2000002"]["AASCO Text Grade"]


@pytest.mark.parametrize("item, problem", [
    ("AASCO, final", "cannot hold ,"),
    ('AASCO "final"', 'cannot hold "'),
    ("=SUM(A1)", "starts with = would run as a formula"),
    ("-final", "starts with - would run as a formula"),
    ("@home", "starts with @"),
    ("   ", "give the grade item's name"),
    ("x" * 129, "at most 128 characters"),
])
def test_a_grade_item_brightspace_could_not_match_is_refused(cohort, item, problem):
    for extra in ([], ["--per-requirement"]):
        result = cohort("export", "brightspace", "--item", item, *extra, expect=2)
        assert problem in result.output and result.output.count("\n") == 1


def test_a_grade_item_is_written_as_brightspace_shows_it(cohort):
    header = cohort("export", "brightspace", "--item", "  AASCO   completion 2025 ").stdout \
        .splitlines()[0]
    assert header == "OrgDefinedId,Username,AASCO completion 2025 Points Grade," \
                     "End-of-Line Indicator"
