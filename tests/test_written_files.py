"""Files the tracker writes: replaced whole, never through a link, never the database,
private when new, as they were when they exist. (A full disk: tests/test_installed.py,
which fills a real one.)"""

from __future__ import annotations

import csv
import stat
from datetime import date
from pathlib import Path

import pytest

from tracker.private_files import CannotWrite, open_to_append, write_private

SENDER = "coordinator@example.org"


@pytest.fixture
def ada(sqlite_tracker):
    sqlite_tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
                   "--email", "ada@example.org")
    return sqlite_tracker


def test_report_onto_the_database_itself_is_refused(ada, sqlite_url):
    before = Path(sqlite_url).read_bytes()
    for target in (sqlite_url, f"{sqlite_url}-wal", f"{sqlite_url}-shm"):
        result = ada("report", "-o", target, expect=2)
        assert f"cannot write {target}" in result.output
    assert Path(sqlite_url).read_bytes() == before
    assert ada.json("student", "list")[0]["student"] == "s1234567"


def test_any_other_sqlite_database_is_not_overwritten_either(ada, tmp_path):
    other = tmp_path / "other.db"
    ada.__class__(str(other))("student", "list")  # another tracker database
    before = other.read_bytes()
    assert "it is a database" in ada("student", "list", "-o", str(other), expect=2).output
    assert other.read_bytes() == before


def test_output_through_a_symbolic_link_is_refused(ada, tmp_path):
    precious = tmp_path / "bashrc"
    precious.write_text("export PATH=...\n")
    link = tmp_path / "report.csv"
    link.symlink_to(precious)
    result = ada("report", "-o", str(link), expect=2)
    assert "it is a symbolic link" in result.output
    assert precious.read_text() == "export PATH=...\n" and link.is_symlink()


def outbox_with_a_planted_link(tmp_path, name: str):
    """An outbox whose message ``name`` is a link to a precious file: (outbox, file)."""
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    precious = tmp_path / "authorized_keys"
    precious.write_text("ssh-ed25519 AAAA\n")
    (outbox / name).symlink_to(precious)
    return outbox, precious


def test_an_outbox_message_planted_as_a_link_is_refused(ada, tmp_path):
    outbox, precious = outbox_with_a_planted_link(tmp_path, "s1234567.eml")
    result = ada("remind", "--outbox", str(outbox), "--from", SENDER, expect=2)
    assert "symbolic link" in result.output
    assert precious.read_text() == "ssh-ed25519 AAAA\n"


def test_the_door_list_is_never_the_database_nor_through_a_link(ada, sqlite_url, tmp_path):
    ada("activity", "add", "colloquium", "--date", date.today().isoformat(), "--title", "P")
    before = Path(sqlite_url).read_bytes()
    result = ada("checkin", "1", "--unknown-to", sqlite_url, input="s7777777\n", expect=2)
    assert "it is a database" in result.output
    assert Path(sqlite_url).read_bytes() == before
    precious = tmp_path / "notes.txt"
    precious.write_text("mine\n")
    link = tmp_path / "unknown.csv"
    link.symlink_to(precious)
    ada("checkin", "1", "--unknown-to", str(link), input="s7777777\n", expect=2)
    assert precious.read_text() == "mine\n"


def test_a_file_is_replaced_whole_and_keeps_its_permissions(ada, tmp_path):
    report = tmp_path / "report.csv"
    ada("report", "-o", str(report))
    assert stat.S_IMODE(report.stat().st_mode) == 0o600  # new: the owner's only
    report.chmod(0o640)
    report.write_text("an old report that is much longer than the new one will be\n" * 50)
    ada("report", "-o", str(report))
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    rows = list(csv.reader(report.open(newline="")))
    assert [row[0] for row in rows] == ["student", "s1234567"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_read_only_file_is_not_replaced(tmp_path):
    kept = tmp_path / "kept.csv"
    kept.write_text("keep me\n")
    kept.chmod(0o444)
    import os

    if os.access(kept, os.W_OK):
        pytest.skip("the superuser may write any file")
    with pytest.raises(CannotWrite, match="read-only"):
        write_private(kept, b"new")
    assert kept.read_text() == "keep me\n"


def test_a_new_file_to_add_to_is_private_and_reads_back_what_it_holds(tmp_path):
    path = tmp_path / "list.csv"
    with open_to_append(path) as added:
        assert added.created and added.read() == b""
        added.write("a,b\r\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    with open_to_append(path) as added:
        assert not added.created and added.read() == b"a,b\r\n"
        added.write("c,d\r\n")
    assert path.read_bytes() == b"a,b\r\nc,d\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


@pytest.mark.parametrize("make", ["link", "folder", "fifo"])
def test_what_is_not_a_plain_file_is_never_added_to(tmp_path, make):
    import os

    path = tmp_path / "thing"
    if make == "link":
        (tmp_path / "target").write_text("x")
        path.symlink_to(tmp_path / "target")
    elif make == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    with pytest.raises(CannotWrite):
        open_to_append(path)
    with pytest.raises(CannotWrite):
        write_private(path, b"y")
    if make == "link":
        assert (tmp_path / "target").read_text() == "x"


def test_an_outbox_written_in_parallel_with_a_link_planted_says_so_in_one_line(
        ada, tmp_path, monkeypatch):
    """The parallel outbox refuses a planted link as the sequential one does: one
    sentence, exit 2, no traceback, and nothing written (no message, no hidden folder)."""
    from tracker import forked
    from tracker.service import mail

    if not (forked.can_fork() and forked.cores() > 1):
        pytest.skip("this machine has one core or cannot fork: the outbox is sequential")
    ada("student", "add", "s1234568", "--name", "Bob Jansen", "--start", "2024-09",
        "--email", "bob@example.org")
    monkeypatch.setattr(mail, "IN_PARALLEL_FROM", 2)
    outbox, precious = outbox_with_a_planted_link(tmp_path, "s1234568.eml")
    result = ada("remind", "--outbox", str(outbox), "--from", SENDER, expect=2)
    assert "Traceback" not in result.output
    assert result.output == (
        "would remind 2 student(s), as of " + date.today().isoformat() + ":\n"
        f"Error: writing the outbox failed: cannot write {outbox}/s1234568.eml: it is a "
        "symbolic link (the tracker does not write through links); name the file itself\n")
    assert precious.read_text() == "ssh-ed25519 AAAA\n"
    assert [p.name for p in outbox.iterdir()] == ["s1234568.eml"]  # the link, as it was


@pytest.mark.parametrize("there", ["database", "wal", "link", "fifo", "companion"])
def test_a_message_written_aside_never_replaces_a_database_a_link_or_a_pipe(tmp_path, there):
    import os

    from tracker.private_files import put_in_place, write_aside

    outbox, aside = tmp_path / "outbox", tmp_path / "aside"
    outbox.mkdir()
    aside.mkdir()
    path = outbox / "s2000001.eml"
    if there == "database":
        path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    elif there == "wal":
        path.write_bytes(b"\x37\x7f\x06\x82" + b"\x00" * 28)
    elif there == "link":
        (tmp_path / "target").write_text("x")
        path.symlink_to(tmp_path / "target")
    elif there == "fifo":
        os.mkfifo(path)
    else:
        (outbox / "s2000001").write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        path = outbox / "s2000001-wal"
    with pytest.raises(CannotWrite):
        write_aside(path, b"a message\n", aside)
    assert list(aside.iterdir()) == []
    if there == "link":
        assert (tmp_path / "target").read_text() == "x"
    message = outbox / "s2000002.eml"
    message.write_bytes(b"an older message, longer than the new one\n")
    message.chmod(0o640)
    write_aside(message, b"a message\n", aside)
    assert message.read_bytes().startswith(b"an older")  # until it is put in place
    put_in_place(aside, outbox, ["s2000002.eml"])
    assert message.read_bytes() == b"a message\n"
    assert stat.S_IMODE(message.stat().st_mode) == 0o640
