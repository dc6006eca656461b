"""`tracker claim` on the command line: the queue in every format, refusals in words
(exit 2), and the student told by mail when mail is set up."""

from __future__ import annotations

import json

from smtp_servers import smtp_server
from test_claim_life import submit


def registered(tracker) -> int:
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    return submit(tracker.url)


def test_the_queue_in_every_format_and_refusals_in_words(tracker):
    made = registered(tracker)
    assert "CV clinic" in tracker("claim", "list", "--format", "table").stdout
    csv = tracker("claim", "list", "--pending", "--format", "csv").stdout
    assert csv.splitlines()[0].startswith("id,student,kind,date,title")
    assert "cert.pdf" in csv
    [listed] = json.loads(tracker("claim", "list", "--format", "json").stdout)
    assert set(listed) >= {"id", "student", "kind", "date", "title", "organiser", "status",
                           "submitted_at", "decided_at", "decided_by", "reason", "activity",
                           "evidence"}
    assert "what they did" in tracker("claim", "show", str(made)).stdout
    for args, said in ((["show", "99"], "no claim #99"),
                       (["approve", "99"], "no claim #99"),
                       (["reject", "99", "--reason", "x"], "no claim #99"),
                       (["approve", "zero"], "'zero'"),
                       (["reject", str(made)], "needs a reason"),
                       (["reject", str(made), "--reason", "  "], "needs a reason")):
        assert said in tracker("claim", *args, expect=2).stderr, args
    assert tracker.json("claim", "list", "--pending")[0]["status"] == "pending"


def test_a_claim_without_evidence_has_none_to_write(tracker, tmp_path):
    from datetime import UTC, datetime

    from tracker.db.engine import Database, resolve_url
    from tracker.service import claims

    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    db = Database.from_url(resolve_url(tracker.url))
    made = claims.submit(db, 1, claims.ClaimForm("bsp-excursion", "2024-10-01", "Visit"),
                         None, datetime.now(UTC)).id
    db.dispose()
    out = tmp_path / "x.pdf"
    assert "without evidence" in tracker("claim", "evidence", str(made), "-o", str(out),
                                         expect=2).stderr
    assert not out.exists()
    assert tracker.json("claim", "list")[0]["evidence"] is None


def test_with_mail_set_up_the_student_is_told(tracker, monkeypatch):
    made = registered(tracker)
    with smtp_server() as server:
        monkeypatch.setenv("TRACKER_SMTP_URL", server.url)
        monkeypatch.setenv("TRACKER_MAIL_FROM", "AASCO <aasco@example.org>")
        monkeypatch.setenv("TRACKER_BASE_URL", "https://tracker.example.org")
        decided = tracker("claim", "reject", str(made), "--reason", "Not a workshop")
        assert "told s1234567 by mail" in decided.stderr
        [message] = server.inbox.messages
    assert message["To"].addresses[0].addr_spec == "ada@example.org"
    assert message["Subject"] == "Your claim was not approved"
    body = message.get_content()
    assert "Not a workshop" in body and "https://tracker.example.org/claims" in body


def test_undo_keeps_an_activity_the_approval_scheduled_once_others_attended(tracker):
    made = registered(tracker)  # a CV clinic nobody scheduled
    tracker("claim", "approve", str(made), "--by", "coord")
    [activity] = tracker.json("activity", "list")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("attend", str(activity["id"]), "s7654321", "--by", "other")
    refused = tracker("undo", "--by", "coord", expect=2)
    assert "1 other attendance(s) are recorded since" in refused.stderr
    assert tracker.json("claim", "list")[0]["status"] == "approved"
    tracker("undo", "--by", "other")
    assert "approve claim" in tracker("undo", "--by", "coord").stdout
    assert tracker.json("claim", "list")[0]["status"] == "pending"
    assert tracker.json("activity", "list") == []


def test_the_history_calls_an_approvals_note_a_note_and_a_rejections_reason_a_reason(
        tracker):
    approved = registered(tracker)
    rejected = submit(tracker.url)
    tracker("claim", "approve", str(approved), "--note", "Thanks for the certificate",
            "--by", "coord")
    tracker("claim", "reject", str(rejected), "--reason", "Wrong day", "--by", "coord")
    said = {h["command"]: h["summary"] for h in tracker.json("history")}
    assert "note (none) → Thanks for the certificate" in said["claim approve"]
    assert "reason" not in said["claim approve"]
    assert "reason (none) → Wrong day" in said["claim reject"]
    assert "note" not in said["claim reject"]
    tracker("undo", "--by", "coord")  # the rejection
    undid = tracker("undo", "--by", "coord").stdout  # the approval, said as the history does
    assert "note (none) → Thanks for the certificate" in undid and "reason" not in undid


def test_an_approval_says_which_activity_it_recorded_the_student_at(tracker):
    made = registered(tracker)  # a CV clinic on 2024-11-05 nobody scheduled
    said = tracker("claim", "approve", str(made)).stdout
    assert (f"approved claim #{made}: s1234567 attended activity #1 CV clinic "
            "on 2024-11-05 (scheduled now)") in said
    again = tracker("claim", "approve", str(made)).stdout
    assert "at activity #1 CV clinic on 2024-11-05): nothing changed" in again
