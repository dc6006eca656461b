"""A coordinator's reminder template runs in a sandbox, bounded, and is worded for every
student before anything leaves: a template that fails, for one student or all, is one
line and exit 2, with nothing written, sent or recorded, in the preview too."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest
from smtp_servers import smtp_server

AS_OF = "2026-01-15"
SENDER = "AASCO coordinator <aasco@example.org>"


@pytest.fixture
def cohort(sqlite_tracker, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s200000{i},Student {i},student{i}@example.org,2025-09\n" for i in range(1, 5)))
    sqlite_tracker("student", "import", str(roster))
    return sqlite_tracker


def message_block(body: str) -> str:
    return '{% extends "reminder.txt.j2" %}{% block message %}' + body + "{% endblock %}"


NESTED = "".join(f"{{% for x{i} in items %}}" for i in range(8)) + "{% endfor %}" * 8
DOUBLING = '{% set a = "' + "x" * 23 + '" %}' + \
    "{% set a = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}" * 9 + "{{ a|length }}"


@pytest.mark.parametrize("body, said", [
    ("{{ 1/0 }}", "for s2000001, line 1: division by zero"),
    ("{{ name.nope }}", "has no attribute 'nope'"),
    ("{{ items.__class__.__mro__ }}", "unsafe"),
    ('{{ cycler.__init__.__globals__.os.popen("id").read() }}', "unknown name(s) cycler"),
    ('{% include "/etc/passwd" %}', 'may use only "reminder.txt.j2", not "/etc/passwd"'),
    ('{% import "progress.html.j2" as p %}', 'not "progress.html.j2"'),
    ("{% include name %}", "not a template named by a variable"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "the template calls itself"),
    ('{{ "x" * 10**9 }}', "makes more than 200,000 characters"),
    ('{{ "x" * 75000 }}{{ "x" * 75000 }}', "would be longer than 200,000 characters"),
    ('{{ "\\x00" }}', "writes a NUL character"),  # (it would move words between parts)
    ("{{ 7 ** 7 ** 7 }}", "makes a number beyond"),
    ("{{ 2 ** 100000 }}", "a power of 100000 is too large"),
    ('{{ "a"|center(1000000000) }}', "too large an argument"),
    (DOUBLING, "more memory than a message may use"),
    (NESTED, "it took longer than 2 s to word one message"),
    ('{% if student == "s2000003" %}{{ 1/0 }}{% endif %}', "for s2000003, line 1: "),
])
def test_a_template_that_fails_stops_everything_before_anything_leaves(
        cohort, tmp_path, body, said):
    template = tmp_path / "ours.txt"
    template.write_text(message_block(body))
    outbox = tmp_path / "outbox"
    before = cohort("history", "--all", "--format", "csv").stdout
    preview = cohort("remind", "--as-of", AS_OF, "--template", str(template), expect=2)
    with smtp_server() as server:
        sent = cohort("remind", "--as-of", AS_OF, "--template", str(template), "--send",
                      "--smtp", server.url, "--from", SENDER, "--outbox", str(outbox),
                      expect=2)
        assert server.inbox.messages == []
    for result in (preview, sent):
        assert said in result.output, result.output
        assert result.output.count("\n") == 1, result.output  # one line, nothing before
        assert "Traceback" not in result.output
    assert not outbox.exists() or not any(outbox.iterdir())
    assert cohort("history", "--all", "--format", "csv").stdout == before


@pytest.mark.parametrize("body, said", [
    ('{% if student == "s2000003" %}{{ 1/0 }}{% endif %}', "for s2000003, line 1: "),
    # each process takes every other student: the first to fail in order is named
    ('{% if student in ("s2000002", "s2000003") %}{{ 1/0 }}{% endif %}',
     "for s2000002, line 1: "),
    (DOUBLING.replace("%}", '%}{% if student == "s2000002" %}', 1) + "{% endif %}",
     "more memory than a message may use"),
])
def test_a_template_that_fails_in_a_parallel_outbox_leaves_it_empty(
        cohort, tmp_path, monkeypatch, body, said):
    """The outbox worded and written in many processes at once: the processes that
    worded their students write theirs aside, and none of it shows."""
    from tracker import forked
    from tracker.service import mail

    if not (forked.can_fork() and forked.cores() > 1):
        pytest.skip("one core or no fork: the outbox is sequential")
    monkeypatch.setattr(mail, "IN_PARALLEL_FROM", 2)
    template = tmp_path / "ours.txt"
    template.write_text(message_block(body))
    outbox = tmp_path / "outbox"
    result = cohort("remind", "--as-of", AS_OF, "--template", str(template), "--outbox",
                    str(outbox), "--from", SENDER, expect=2)
    assert said in result.output and result.output.count("\n") == 1, result.output
    assert list(outbox.iterdir()) == []  # no message, and no hidden folder either


def test_a_template_from_a_shared_drive_cannot_run_code(cohort, tmp_path):
    marker = tmp_path / "ran"
    for body in (f'{{{{ lipsum.__globals__["os"].system("touch {marker}") }}}}',
                 "{{ (items|attr('__class__')).__base__.__subclasses__() }}",
                 "{{ self.__init__.__globals__ }}",
                 "{{ as_of.__class__.__subclasses__() }}"):
        template = tmp_path / "t.txt"
        template.write_text(message_block(body))
        result = cohort("remind", "--as-of", AS_OF, "--template", str(template), expect=2)
        assert "Traceback" not in result.output
    assert not marker.exists()


def test_a_good_template_over_many_students_is_worded_in_parallel_as_in_sequence(
        cohort, tmp_path, monkeypatch):
    from tracker import forked
    from tracker.pages import reminder

    if not (forked.can_fork() and forked.cores() > 1):
        pytest.skip("one core or no fork: wording is sequential")
    template = tmp_path / "ours.txt"
    template.write_text(message_block("Hello {{ first_name }} ({{ student }})"))
    outputs = []
    for in_parallel_from in (1_000_000, 2):
        monkeypatch.setattr(reminder, "IN_PARALLEL_FROM", in_parallel_from)
        folder = tmp_path / f"out-{in_parallel_from}"
        cohort("remind", "--as-of", AS_OF, "--template", str(template), "--outbox",
               str(folder), "--from", SENDER)
        outputs.append(sorted(p.name for p in folder.iterdir()))
        message = message_from_bytes((folder / "s2000003.eml").read_bytes(), policy=default)
        assert "Hello Student (s2000003)" in message.get_body(("plain",)).get_content()
    assert outputs[0] == outputs[1] and len(outputs[0]) == 4


def test_a_dict_key_is_read_without_jinjas_attribute_miss_and_methods_stay_methods(
        monkeypatch):
    """``item.label`` of the plain dicts a reminder's context is made of is its key, as
    Jinja2 gives it, without first looking for (and missing) an attribute: a run reads
    hundreds of thousands of them. A dict's own methods, and anything that is not a
    plain dict, still go Jinja2's (sandboxed) way."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    from tracker.pages.sandbox import BoundedSandbox, render_bounded

    env = BoundedSandbox({"t": "{{ item.label }}|{{ item.keys()|list|join(',') }}|"
                               "{{ item.missing is defined }}", "u": "{{ item.__class__ }}"})
    slow = []
    original = SandboxedEnvironment.getattr

    def counted(self, obj, attribute):
        slow.append(attribute)
        return original(self, obj, attribute)

    monkeypatch.setattr(SandboxedEnvironment, "getattr", counted)
    said = render_bounded(env.get_template("t"), {"item": {"label": "Colloquia"}})
    assert said == "Colloquia|label|False"
    assert slow == ["keys", "missing"]  # never "label"
    with pytest.raises(SecurityError, match="__class__"):  # still the sandbox's
        render_bounded(env.get_template("u"), {"item": {"label": "Colloquia"}})


def _contexts():
    """Reminder contexts of every shape the built-in wording has: with and without a
    portal, overdue, at risk or open, counted and not counted, done and coming up."""
    from datetime import date

    def item(status, counted=(), not_counted=()):
        return {"id": f"r-{status}", "label": f"Colloquia {status}", "status": status,
                "icon": "✗" if status == "overdue" else "○", "done": 2, "required": 4,
                "remaining": 2, "due": date(2026, 6, 30), "scheduled": 1,
                "why": "2 more needed, 1 scheduled before 2026-06-30", "decision": "",
                "counted": list(counted), "not_counted": list(not_counted)}

    overdue = item("overdue", ["Talk (2025-10-01)", "Fair (2025-11-02)"],
                   ["Talk (2025-09-01): excused"])
    at_risk = item("at risk", ["{{ not a template }} (2025-10-01)"])
    still_open = item("open")
    coming = {"date": date(2026, 2, 1), "title": "Café — Career day", "kind": "event",
              "counts_for": "Colloquia, Events"}
    for portal in ("", "https://tracker.example.org/"):
        for items in ([overdue, at_risk, still_open], [at_risk], [still_open], []):
            for done, upcoming in (([], []), (["Intake", "CV (waived)"], [coming])):
                yield {
                    "student": "s2000001", "name": "Zoë van Dijk", "first_name": "Zoë",
                    "email": "zoe@example.org", "programme": "AASCO",
                    "requirement_set": "AASCO 2025", "as_of": date(2026, 1, 15),
                    "items": items,
                    "overdue": [i for i in items if i["status"] == "overdue"],
                    "at_risk": [i for i in items if i["status"] == "at risk"],
                    "still_open": [i for i in items if i["status"] == "open"],
                    "coordinator": "Anna Coordinator", "portal": portal,
                    "next_deadline": date(2026, 6, 30), "done_items": done,
                    "upcoming": upcoming, "gist": "1 item overdue, 1 at risk"}


def test_the_built_in_wording_is_the_sandboxed_one_word_for_word():
    """The built-in template skips the sandbox (it is ours): what it says must be what
    the sandbox makes of the same template, for every shape a reminder takes."""
    from tracker.pages.reminder import ReminderWriter, _built_in_parts

    sandboxed = ReminderWriter()._sandboxed_parts()
    contexts = list(_contexts())
    assert len(contexts) == 16
    for context in contexts:
        fast = _built_in_parts()(dict(context))
        assert fast == sandboxed(dict(context))
        assert all(fast)  # subject, message and body, each worded


def test_a_coordinators_template_is_still_worded_in_the_sandbox(tmp_path, monkeypatch):
    """Only the built-in template takes the trusted road; a coordinator's file, even one
    that only extends the built-in one, is rendered in the sandbox, bounded."""
    from tracker.pages import reminder

    template = tmp_path / "ours.txt"
    template.write_text(message_block("Hello {{ first_name }}"))
    bounded = []
    original = reminder.render_bounded

    def counted(parts, context):
        bounded.append(type(parts.environment))
        return original(parts, context)

    monkeypatch.setattr(reminder, "render_bounded", counted)
    assert reminder.ReminderWriter()._renderer() is reminder._built_in_parts()
    _, message, _ = reminder.ReminderWriter(template)._renderer()(next(_contexts()))
    assert message == "Hello Zoë" and bounded == [reminder.BoundedSandbox]
