"""The one path every mail the tracker sends leaves by: reminders now, and the portal's
sign-in links and claim decisions. The wording is made above (:mod:`tracker.pages`) and
handed here as :class:`Letter`; MIME and SMTP are below (:mod:`tracker.mail`).

How mail leaves is a :class:`Route`, checked once by :func:`route`:

* neither SMTP nor an outbox: a **preview**, nothing leaves (the letters are made all
  the same, so the preview shows what would be sent);
* an **outbox** folder: each message written as ``DIR/<letter.file_stem>.eml``;
* **SMTP**: each message handed to the server (with an outbox too: written, then sent).

Two calls, one for a run and one for a single message::

    post(route, items, letter_of, record=None, on_done=None) -> Delivery
        # a run (reminders): ``letter_of(item)`` makes each letter when it is needed;
        # ``record`` (a :class:`Record`) claims each recipient before the message goes
        # to the server and records what happened after, so that two runs never send
        # to the same person and a crash in between is known. One SMTP connection.
    post_one(route, letter) -> Posted
        # one message (a sign-in link): written and/or sent, or NotSent in words.

A run that the server fails half-way ends with :attr:`Delivery.failure` saying why;
what was sent is recorded and the rest is not.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from tracker import forked
from tracker.errors import InvalidInput
from tracker.mail.mime import Message, MessageMaker, checked_sender
from tracker.mail.smtp import DeliveryFailed, Mailer, Refused, SmtpSettings
from tracker.private_files import CannotWrite, put_in_place, write_aside, write_private

T = TypeVar("T")
T_in = TypeVar("T_in", contravariant=True)
IN_PARALLEL_FROM = 1000  # messages: fewer are written before a second process would start


class NotSent(Exception):
    """A message did not leave (the server could not be reached, refused it, or a
    message could not be written); the text says why, in words, never a password."""


class NotRecorded(Exception):
    """What happened to a message could not be recorded (the database was busy or
    gone); the text says what, and what the next run will do about it."""


@dataclass(frozen=True)
class Letter:
    """One message to one person, worded: the text part, and an HTML part if any."""

    name: str  # the recipient's, for To:
    address: str
    subject: str
    text: str
    html: str | None = None
    file_stem: str = "message"  # the outbox file's name, without .eml


@dataclass(frozen=True)
class Route:
    """How mail leaves: ``smtp`` sends, ``outbox`` writes; neither is a preview."""

    sender: str | None  # checked; None only for a preview without --from
    smtp: SmtpSettings | None = None
    outbox: Path | None = None

    @property
    def sends(self) -> bool:
        return self.smtp is not None

    @property
    def previews(self) -> bool:
        return self.smtp is None and self.outbox is None


def route(sender: str | None, *, send: bool = False, smtp_url: str | None = None,
          outbox: Path | None = None) -> Route:
    """A checked route: the sender (needed to write or send), the SMTP URL (to send) and
    the outbox folder (made if missing, readable by its owner only)."""
    needed = send or outbox is not None or bool(sender)
    checked = checked_sender(sender) if needed else None
    smtp = SmtpSettings.parse(smtp_url) if send else None
    if outbox is not None:
        _make_folder(outbox)
    return Route(checked, smtp, outbox)


def _make_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"--outbox {folder} is a file, not a folder")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)  # its messages are personal data
    except FileNotFoundError:
        raise InvalidInput(f"cannot make --outbox {folder}: the folder {folder.parent} "
                           "does not exist") from None
    except OSError as error:
        raise InvalidInput(f"cannot make --outbox {folder}: {error.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise InvalidInput(f"cannot write to --outbox {folder}")


class Record(Protocol[T_in]):
    """How a run records what happened to each message (reminders: the reminder table).

    ``claim`` is called before the message leaves and commits that it is on its way;
    it returns why not when another run has it (or had it lately): then it is skipped.
    After the server's answer exactly one of ``delivered``, ``refused`` or ``released``
    (not sent after all) is called. Any of them raises :class:`NotRecorded` when the
    database cannot take it: the run then stops.
    """

    def claim(self, item: T_in, letter: Letter) -> str | None: ...
    def delivered(self, item: T_in, message: Message) -> None: ...
    def refused(self, item: T_in, why: str) -> None: ...
    def released(self, item: T_in) -> None: ...


@dataclass(frozen=True)
class Posted(Generic[T]):
    """What became of one item: ``previewed``, ``written``, ``sent``, ``refused`` (by the
    server, for good) or ``skipped`` (another run has it); ``why`` for the last two."""

    item: T
    letter: Letter
    outcome: str
    why: str | None = None
    path: Path | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Delivery(Generic[T]):
    """What a run did, of ``total`` items; ``failure`` when it stopped half-way (the
    items after the last one done were not sent)."""

    total: int
    written: int = 0
    sent: int = 0
    refused: tuple[Posted[T], ...] = ()
    skipped: tuple[Posted[T], ...] = ()
    failure: str | None = None


def post(route: Route, items: Sequence[T], letter_of: Callable[[T], Letter], *,
         record: Record[T] | None = None,
         on_done: Callable[[Posted[T]], None] | None = None) -> Delivery[T]:
    """Each item's letter, made by ``letter_of`` when it is needed, previewed, written
    and/or sent as ``route`` says; ``on_done`` hears of each as it is done."""
    if route.previews:
        for item in items:
            posted = Posted(item, letter_of(item), "previewed")
            if on_done is not None:
                on_done(posted)
        return Delivery(len(items))
    assert route.sender is not None
    if record is None and processes_to_write(route, len(items)):
        return _write_in_parallel(route, items, letter_of, on_done)
    maker = MessageMaker(route.sender)
    run = _Run(route, maker, record, on_done, len(items))
    mailer = None if route.smtp is None else Mailer(route.smtp)
    try:
        if mailer is not None:
            mailer.__enter__()  # the server is reached before anyone is claimed
        for item in items:
            run.one(item, letter_of(item), mailer)
    except (DeliveryFailed, NotRecorded, NotSent) as failure:
        return run.delivery(str(failure))
    finally:
        if mailer is not None:
            mailer.__exit__(None, None, None)
    return run.delivery()


class _Run(Generic[T]):
    def __init__(self, route: Route, maker: MessageMaker, record: Record[T] | None,
                 on_done: Callable[[Posted[T]], None] | None, total: int) -> None:
        self.route, self.maker, self.record, self.on_done = route, maker, record, on_done
        self.total, self.written, self.sent = total, 0, 0
        self.refused: list[Posted[T]] = []
        self.skipped: list[Posted[T]] = []

    def one(self, item: T, letter: Letter, mailer: Mailer | None) -> None:
        record = self.record
        if record is not None:
            why = record.claim(item, letter)
            if why is not None:
                self.tell(Posted(item, letter, "skipped", why), self.skipped)
                return
        message = self.maker.make(letter.name, letter.address, letter.subject, letter.text,
                                  letter.html)
        path = None
        try:
            if self.route.outbox is not None:
                path = _write(self.route.outbox, letter, message)
                self.written += 1
            if mailer is not None:
                mailer.send(self.maker.address, message.recipient, message.data)
        except Refused as refusal:
            if record is not None:
                record.refused(item, str(refusal))
            self.tell(Posted(item, letter, "refused", str(refusal), path), self.refused)
            return
        except (DeliveryFailed, NotSent):
            if record is not None:
                record.released(item)
            raise
        if mailer is None:
            self.tell(Posted(item, letter, "written", None, path, message.message_id))
            return
        self.sent += 1
        if record is not None:
            record.delivered(item, message)
        self.tell(Posted(item, letter, "sent", None, path, message.message_id))

    def tell(self, posted: Posted[T], into: list[Posted[T]] | None = None) -> None:
        if into is not None:
            into.append(posted)
        if self.on_done is not None:
            self.on_done(posted)

    def delivery(self, failure: str | None = None) -> Delivery[T]:
        return Delivery(self.total, self.written, self.sent, tuple(self.refused),
                        tuple(self.skipped), failure)


def _write(folder: Path, letter: Letter, message: Message) -> Path:
    path = _path(folder, letter)
    try:
        write_private(path, message.data)
    except OSError as error:
        raise NotSent(f"cannot write {path}: {error.strerror}") from None
    return path


def _path(folder: Path, letter: Letter) -> Path:
    if not letter.file_stem or any(c in letter.file_stem for c in "/\\\0") \
            or letter.file_stem.startswith("."):
        raise NotSent(f"cannot write a message named {letter.file_stem!r}")
    return folder / f"{letter.file_stem}.eml"


def post_one(route: Route, letter: Letter) -> Posted[Letter]:
    """One message (a sign-in link, a claim's decision), written and/or sent as
    ``route`` says, or :class:`NotSent` saying why; a preview route makes it only."""
    delivery = post(route, [letter], lambda same: same)
    if delivery.failure is not None:
        raise NotSent(delivery.failure)
    if delivery.refused:
        raise NotSent(delivery.refused[0].why or "the server refused it")
    outcome = "previewed" if route.previews else "sent" if route.sends else "written"
    return Posted(letter, letter, outcome)


# --- an outbox of many messages, one process per core ------------------------------------

def processes_to_write(route: Route, total: int) -> int:
    """How many processes make and write an outbox of ``total`` messages that is only
    written (no server, no record): one per core, up to four, for a run of
    :data:`IN_PARALLEL_FROM` or more; 0 when this process does it alone."""
    if (route.outbox is None or route.sends or total < IN_PARALLEL_FROM
            or not forked.can_fork() or forked.cores() < 2):
        return 0
    return min(forked.cores(), 4)


@dataclass(frozen=True)
class Unwritten:
    """Why a process could not write its share of an outbox (nothing of it is shown)."""

    why: str


Said = tuple[str, str, str, str]
"""What a process that wrote a message says of it: subject, name, address, file name."""


class WrittenAside:
    """An outbox written by many processes at once, each message first into a hidden
    folder of the outbox (:meth:`write`, in those processes), all of them moved into
    place once every process has written its share (:meth:`publish`). A run that stops
    before (a process over its limits, a template that fails, a file that cannot be
    written) leaves the outbox as it was: leaving the ``with`` block unpublished takes
    the hidden folder away."""

    def __init__(self, route: Route) -> None:
        assert route.outbox is not None and route.sender is not None
        self.outbox = route.outbox
        self.maker = MessageMaker(route.sender)
        self.aside: Path | None = None

    def __enter__(self) -> WrittenAside:
        try:
            self.aside = Path(tempfile.mkdtemp(prefix=".writing-", dir=self.outbox))
        except OSError as error:
            raise NotSent(f"cannot write to {self.outbox}: {error.strerror}") from None
        return self

    def __exit__(self, *_: object) -> None:
        if self.aside is not None:
            shutil.rmtree(self.aside, ignore_errors=True)
            self.aside = None

    def write(self, letters: Iterable[Letter]) -> list[Said] | Unwritten:
        """Each letter made and written aside (in the process that made it); what was
        written, or why a letter could not be."""
        assert self.aside is not None
        said: list[Said] = []
        try:
            for letter in letters:
                message = self.maker.make(letter.name, letter.address, letter.subject,
                                          letter.text, letter.html)
                path = _path(self.outbox, letter)
                write_aside(path, message.data, self.aside)
                said.append((letter.subject, letter.name, letter.address, path.name))
        except Exception as error:
            return Unwritten(str(error) or type(error).__name__)
        return said

    def publish(self, items: Sequence[T], parts: Sequence[range],
                written: Sequence[list[Said] | Unwritten],
                on_done: Callable[[Posted[T]], None] | None) -> Delivery[T]:
        """Every message of ``written`` (the share of each of ``parts`` of ``items``, see
        :func:`tracker.forked.slices`) moved into place, then ``on_done`` told of each
        in the order of ``items``."""
        assert self.aside is not None
        failed = [share.why for share in written if isinstance(share, Unwritten)]
        if failed:
            raise NotSent(f"writing the outbox failed: {failed[0]}")
        said = forked.merged(parts, written)  # type: ignore[arg-type]  # (none failed)
        assert len(said) == len(items)
        try:
            put_in_place(self.aside, self.outbox, [name for *_, name in said])
        except CannotWrite as error:
            raise NotSent(f"writing the outbox failed: {error}") from None
        if on_done is not None:
            for item, (subject, name, address, file) in zip(items, said, strict=True):
                on_done(Posted(item, Letter(name, address, subject, ""), "written", None,
                               self.outbox / file))
        return Delivery(len(items), len(items))


def _write_in_parallel(route: Route, items: Sequence[T], letter_of: Callable[[T], Letter],
                       on_done: Callable[[Posted[T]], None] | None) -> Delivery[T]:
    """Each process makes and writes a slice of the messages aside; once all have, the
    messages are moved into place and ``on_done`` told of each in order."""
    with WrittenAside(route) as aside:
        def write_part(part: range) -> list[Said] | Unwritten:
            return aside.write(letter_of(item) for item in forked.pick(items, part))

        parts = forked.slices(len(items), processes_to_write(route, len(items)))
        try:
            written = forked.in_workers(write_part, parts)
        except forked.WorkerFailed as failure:
            raise NotSent(f"writing the outbox failed: {failure}") from None
        return aside.publish(items, parts, written, on_done)
