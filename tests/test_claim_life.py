"""A claim's whole life on the command line, on both engines: submitted (on the portal),
approved, undone, rejected, exported, forgotten; at the end the database file holds
none of its bytes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from tracker.db.engine import Database, resolve_url, sqlite_file
from tracker.db.models import Claim, ClaimEvidence, Participation

EVIDENCE = b"%PDF-1.4\n(Certificate of Mnbvcxz Attendance)\n%%EOF\n"
SAID = "Mnbvcxz talked to recruiters"


def submit(url: str) -> int:
    from tracker.service import claims
    from tracker.service.evidence import Upload

    db = Database.from_url(resolve_url(url))
    try:
        return claims.submit(db, 1, claims.ClaimForm(
            "career-workshop", "2024-11-05", "CV clinic", "Science Career Service", SAID),
            Upload("C:\\Users\\ada\\cert.pdf", EVIDENCE), datetime.now(UTC)).id
    finally:
        db.dispose()


def counts(url: str) -> tuple[int, int, int]:
    db = Database.from_url(resolve_url(url))
    try:
        with db.transaction(read_only=True) as session:
            return tuple(session.scalar(select(func.count()).select_from(model).where(*where))
                         or 0 for model, where in (
                             (Claim, ()), (ClaimEvidence, ()),
                             (Participation, (Participation.source == "claim",))))
    finally:
        db.dispose()


def test_a_claims_whole_life(tracker, tmp_path):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    tracker("activity", "add", "career-workshop", "--date", "2024-11-05", "--title",
            "cv clinic")  # scheduled already: a sheet would match it, but for case
    made = submit(tracker.url)
    assert tracker.json("claim", "list", "--pending")[0]["evidence"] == {
        "name": "cert.pdf", "type": "application/pdf", "bytes": len(EVIDENCE)}
    assert "pending: 1 claim" in tracker("progress", "s1234567", "--as-of", "2024-12-01",
                                         "--format", "table").stdout
    assert "1 claim(s) wait" in tracker("report", "--as-of", "2024-12-01",
                                        "--format", "table").stdout

    approved = tracker("claim", "approve", str(made), "--note", "Welcome", "--by", "coord")
    assert f"approved claim #{made}: s1234567 attended activity #1" in approved.stdout
    assert "not told by mail" in approved.stderr
    assert "already" in tracker("claim", "approve", str(made), "--by", "coord").stdout
    workshops = next(r for r in tracker.json("progress", "s1234567", "--as-of", "2024-12-01")
                     ["requirements"] if r["id"] == "workshops")
    assert (workshops["done"], workshops["counted"], workshops["pending_claims"]) == (1, [1], 0)
    refused = tracker("claim", "reject", str(made), "--reason", "No", "--by", "coord",
                      expect=2)
    assert "undo that decision first" in refused.stderr

    assert "approve claim" in tracker("undo", "--by", "coord").stdout
    assert counts(tracker.url) == (1, 1, 0)
    assert tracker.json("claim", "list", "--pending")[0]["status"] == "pending"
    assert tracker.json("activity", "list")[0]["attended"] == 0  # the activity stays

    assert "needs a reason" in tracker("claim", "reject", str(made), expect=2).stderr
    tracker("claim", "reject", str(made), "--reason", "Mnbvcxz reason: not a workshop",
            "--by", "coord")
    [shown] = tracker.json("claim", "list")
    assert (shown["status"], shown["reason"], shown["decided_by"], shown["activity"]) == (
        "rejected", "Mnbvcxz reason: not a workshop", "coord", None)
    assert "undone" not in tracker("claim", "show", str(made)).stdout

    out = tmp_path / "evidence.pdf"
    tracker("claim", "evidence", str(made), "-o", str(out))
    assert out.read_bytes() == EVIDENCE
    database = sqlite_file(resolve_url(tracker.url))
    if database is not None:  # never over the database, whatever -o says
        assert "database" in tracker("claim", "evidence", str(made), "-o", str(database),
                                     expect=2).stderr
    exported = json.loads(tracker("student", "export", "s1234567").stdout)
    [held] = exported["claims"]
    assert held["status"] == "rejected" and held["description"] == SAID
    assert base64.b64decode(held["evidence"]["content_base64"]) == EVIDENCE
    assert any("claim" in h["command"] for h in exported["history"])

    tracker("student", "forget", "s1234567", "--yes")
    assert counts(tracker.url) == (0, 0, 0)
    assert "no claims yet" in tracker("claim", "list").stderr
    if database is not None:
        held_bytes = b"".join(Path(f"{database}{suffix}").read_bytes()
                              for suffix in ("", "-wal") if Path(f"{database}{suffix}").exists())
        for secret in (b"Mnbvcxz", b"s1234567", b"ada@example.org"):
            assert secret not in held_bytes, secret
    else:
        history = tracker.json("history", "--all")
        assert not any("Mnbvcxz" in h["summary"] for h in history)
