"""The whole story (issue 19): the reminder, text and HTML, and the Brightspace text
grade say what became of each assignment (`submitted — awaiting approval`, `rejected —
<feedback>`) and, for each requirement, what counted and why the rest did not; with a
base URL their links go to the portal."""

from __future__ import annotations

import email
from email import policy

import pytest

AS_OF = "2025-12-01"


@pytest.fixture
def story(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2025-09",
            "--email", "ada@example.org")
    tracker("activity", "add", "colloquium", "--date", "2025-08-15", "--title", "Too early")
    tracker("activity", "add", "colloquium", "--date", "2025-10-02", "--title", "Peers")
    tracker("attend", "1", "s1234567")
    tracker("attend", "2", "s1234567")
    tracker("assignment", "s1234567", "1", "submitted", "--date", "2025-10-01")
    tracker("assignment", "s1234567", "1", "rejected", "--date", "2025-10-10",
            "--feedback", "too short: say what you learned")
    tracker("assignment", "s1234567", "2", "submitted", "--date", "2025-11-01")
    return tracker


def reminder(tracker, tmp_path, *more: str) -> dict[str, str]:
    outbox = tmp_path / "outbox"
    tracker("remind", "s1234567", "--outbox", str(outbox), "--from", "c@example.org",
            "--as-of", AS_OF, *more)
    message = email.message_from_bytes((outbox / "s1234567.eml").read_bytes(),
                                       policy=policy.default)
    return {p.get_content_type(): p.get_content() for p in message.walk()
            if not p.is_multipart()}


WHOLE_STORY = ["rejected — too short: say what you learned", "submitted — awaiting approval",
               "Peers (2025-10-02)", "Too early (2025-08-15)", "before the start month"]


def test_the_reminder_tells_the_whole_story_in_text_and_html(story, tmp_path,
                                                             monkeypatch):
    monkeypatch.delenv("TRACKER_BASE_URL", raising=False)
    parts = reminder(story, tmp_path)
    for said in WHOLE_STORY:
        assert said in parts["text/plain"], said
    html = parts["text/html"].replace("<span>", "").replace("</span>", "")
    for said in WHOLE_STORY:
        assert said.replace("—", "&#8212;") in html or said in html, said
    assert "counted: Peers (2025-10-02)" in parts["text/plain"]
    assert "not counted: Too early (2025-08-15): before the start month" in \
        parts["text/plain"]
    assert "https://" not in parts["text/plain"]


def test_the_text_grade_tells_the_whole_story(story, monkeypatch):
    monkeypatch.delenv("TRACKER_BASE_URL", raising=False)
    grades = story("export", "brightspace", "--item", "AASCO", "--per-requirement",
                   "--as-of", AS_OF).stdout
    for said in WHOLE_STORY:
        assert said in grades, said
    assert "Your progress:" not in grades


def test_with_a_base_url_the_links_go_to_the_portal(story, tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_BASE_URL", "https://tracker.example.org")
    parts = reminder(story, tmp_path)
    assert "https://tracker.example.org/ (sign in" in parts["text/plain"]
    assert 'href="https://tracker.example.org/"' in parts["text/html"]
    grades = story("export", "brightspace", "--item", "AASCO", "--per-requirement",
                   "--as-of", AS_OF, "--base-url", "https://portal.example.org").stdout
    assert "Your progress: https://portal.example.org/" in grades


def test_a_base_url_that_is_no_site_is_refused_in_words(story, tmp_path):
    result = story("remind", "s1234567", "--outbox", str(tmp_path / "o"), "--from",
                   "c@example.org", "--base-url", "tracker.example.org", expect=2)
    assert "--base-url" in result.output and "http" in result.output
