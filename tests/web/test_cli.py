"""`tracker coordinator` and `tracker serve` on the command line; the portal's imports
stay out of every other command's start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pyotp
import pytest

PORTAL_MODULES = ("flask", "werkzeug", "waitress", "pyotp", "segno", "icalendar")


@pytest.mark.parametrize("args", [["--help"], ["progress", "--help"], ["serve", "--help"],
                                  ["coordinator", "--help"]])
def test_help_imports_none_of_the_portals_libraries(args):
    code = ("import sys\nfrom tracker.cli import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
            f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({PORTAL_MODULES!r}))\n"
            "bad += [m for m in sys.modules if m.startswith('tracker.web')]\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_coordinator_add_prints_the_enrolment_as_a_uri_and_a_qr_code(sqlite_tracker):
    said = sqlite_tracker("coordinator", "add", "AASCO@Example.org", "--name",
                          "Dr. A. Coordinator").output
    assert "added coordinator Dr. A. Coordinator <aasco@example.org>" in said
    uri = next(word for word in said.split() if word.startswith("otpauth://"))
    totp = pyotp.parse_uri(uri)
    assert totp.issuer == "tracker" and totp.name == "aasco@example.org"
    assert "▀" in said or "█" in said  # the QR code, drawn in block characters
    assert "only time the key is shown" in said
    listed = json.loads(sqlite_tracker("coordinator", "list", "--format", "json").stdout)
    assert listed == [{"email": "aasco@example.org", "name": "Dr. A. Coordinator",
                       "added": listed[0]["added"], "sessions": 0}]
    assert totp.secret not in sqlite_tracker("coordinator", "list").output


def test_coordinator_add_twice_and_remove_of_nobody_are_refused(sqlite_tracker):
    sqlite_tracker("coordinator", "add", "a@example.org", "--name", "A")
    again = sqlite_tracker("coordinator", "add", "A@example.org", "--name", "A", expect=2)
    assert "is a coordinator already" in again.output
    assert "not an e-mail address" in sqlite_tracker(
        "coordinator", "add", "nobody", "--name", "B", expect=2).output
    assert "no coordinator b@example.org" in sqlite_tracker(
        "coordinator", "remove", "b@example.org", expect=2).output
    assert "removed coordinator a@example.org; 0 sessions ended" in sqlite_tracker(
        "coordinator", "remove", "a@example.org").output


def test_serve_refuses_to_start_without_a_way_for_mail_to_leave(sqlite_tracker, monkeypatch):
    monkeypatch.delenv("TRACKER_SMTP_URL", raising=False)
    said = sqlite_tracker("serve", "--port", "1", expect=2).output
    assert "sign-in needs mail" in said and "--outbox" in said


def test_serve_refuses_a_bad_base_url_host_or_proxy(sqlite_tracker):
    assert "root of a site" in sqlite_tracker(
        "serve", "--outbox", "out", "--base-url", "https://uni.example.org/tracker",
        expect=2).output
    assert "say with --base-url" in sqlite_tracker(
        "serve", "--outbox", "out", "--host", "0.0.0.0", expect=2).output
    assert "not an IP address" in sqlite_tracker(
        "serve", "--outbox", "out", "--trusted-proxy", "proxy.example.org", expect=2).output
