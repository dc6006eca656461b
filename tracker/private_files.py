"""Every file the tracker writes (``-o FILE``, the outbox, the door's unknown list, the
demo's page) goes through here, so that each holds the same promises:

- it holds personal data: a new file is readable by its owner only, as the database is;
  a file that exists keeps the permissions its owner gave it;
- a file is replaced whole or not at all (:func:`write_private`): written to a temporary
  file in the same folder and renamed into place, so a full disk or a crash leaves the
  old file as it was, never a half-written one;
- a file is added to a whole line at a time or not at all (:func:`open_to_append`);
- a symbolic link is never followed (it could point anywhere, say ``~/.bashrc``), and a
  database (an SQLite file, its ``-wal``, ``-shm`` or ``-journal``), a folder, a device
  or a pipe is never written: each is refused in one sentence (:class:`CannotWrite`).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from types import TracebackType

from tracker.errors import TrackerError

_PRIVATE = 0o600
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_COMPANIONS = ("-wal", "-shm", "-journal")  # SQLite's files beside a database
_FULL = (errno.ENOSPC, errno.EDQUOT)


class CannotWrite(TrackerError):
    """A file the tracker was asked to write is refused, or the system refused it."""


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, whole: the old file stays as it was until the new
    one is complete on disk."""
    existing = _replaceable(path)
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=_hidden(path),
                                            suffix=".part")
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise CannotWrite(f"cannot write {path}: its folder {path.parent} cannot be "
                              f"written to ({error.strerror})") from None
        raise _refusal(path, error) from None
    temporary = Path(name)
    _fill(descriptor, temporary, path, data, existing)
    try:
        os.replace(temporary, path)  # replaces a link planted meanwhile, never its target
    except BaseException as error:  # (Ctrl-C too: no .part file is left behind)
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _refusal(path, error) from None
        raise
    _sync_folder(path.parent)


def write_aside(path: Path, data: bytes, aside: Path) -> None:
    """``data`` written whole and on disk as ``aside/<path's name>``, a new file in a
    folder of the caller's, to replace ``path`` later by :func:`put_in_place` (what
    :func:`write_private` does in one step, for many files that must appear together or
    not at all). ``path`` is judged now, as :func:`write_private` judges it."""
    existing = _replaceable(path)
    temporary = os.fspath(aside) + os.sep + path.name  # (no Path made: thousands a run)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, _PRIVATE)
    except OSError as error:
        raise _refusal(path, error) from None
    _fill(descriptor, temporary, path, data, existing)


def _replaceable(path: Path) -> os.stat_result | None:
    """What is at ``path`` now (None: nothing), refused when it may not be replaced."""
    existing = _existing(path)
    if existing is not None and not os.access(path, os.W_OK):
        raise CannotWrite(f"cannot write {path}: the file is read-only")
    return existing


def _fill(descriptor: int, temporary: str | Path, path: Path, data: bytes,
          existing: os.stat_result | None) -> None:
    """``data`` written whole into the new file ``temporary`` (open as ``descriptor``,
    closed here) and put on disk, with the permissions of the ``existing`` file it will
    replace; on any failure the half file is removed and ``path`` named as refused."""
    try:
        try:
            _write_all(descriptor, data)
            if existing is not None:
                _keep_permissions(descriptor, existing)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except BaseException as error:  # a full disk, and Ctrl-C too: no half file is left
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _refusal(path, error) from None
        raise


def put_in_place(aside: Path, folder: Path, names: Iterable[str]) -> None:
    """Each file :func:`write_aside` wrote into ``aside`` renamed over its namesake in
    ``folder`` (a link planted meanwhile is replaced, never followed), then the renames
    put on disk, once for them all."""
    # Named from the two folders, held open: the system walks neither path again per
    # file (an outbox is ten thousand of them).
    away = os.open(aside, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        into = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        os.close(away)
        raise _refusal(folder, error) from None
    try:
        for name in names:
            try:
                os.replace(name, name, src_dir_fd=away, dst_dir_fd=into)
            except OSError as error:
                raise _refusal(folder / name, error) from None
        with suppress(OSError):  # (best effort, as _sync_folder)
            os.fsync(into)
    finally:
        os.close(into)
        os.close(away)


class AppendOnly:
    """A file opened to be added to, never replaced. :meth:`write` adds all it is given
    or nothing (a full disk half-way through a line takes the half back); :meth:`read`
    returns what the file held, through the same descriptor, so what was checked is what
    is added to."""

    def __init__(self, path: Path, descriptor: int, created: bool,
                 encoding: str = "utf-8") -> None:
        self.path = path
        self.created = created  # a new file, made by this open
        self.encoding = encoding
        self._descriptor = descriptor

    def read(self) -> bytes:
        chunks, offset = [], 0
        while chunk := os.pread(self._descriptor, 1 << 20, offset):
            chunks.append(chunk)
            offset += len(chunk)
        return b"".join(chunks)

    def write(self, text: str) -> int:
        data = text.encode(self.encoding)
        before = os.fstat(self._descriptor).st_size
        try:
            _write_all(self._descriptor, data)
        except OSError as error:
            with suppress(OSError):  # the half line goes; the lines before stay
                os.ftruncate(self._descriptor, before)
            if error.errno in _FULL:
                raise CannotWrite(f"cannot add to {self.path}: the disk is full (what it "
                                  "held is kept, nothing half-written)") from None
            raise _refusal(self.path, error) from None
        return len(text)

    def flush(self) -> None:
        """Nothing to do: every :meth:`write` is handed to the system as it is made."""

    def close(self) -> None:
        if self._descriptor >= 0:
            os.close(self._descriptor)
            self._descriptor = -1

    def __enter__(self) -> AppendOnly:
        return self

    def __exit__(self, _type: type[BaseException] | None, _value: BaseException | None,
                 _traceback: TracebackType | None) -> None:
        self.close()


def open_to_append(path: Path, encoding: str = "utf-8") -> AppendOnly:
    """``path`` opened to add to (made, readable by its owner only, if it is new)."""
    _existing(path)  # refuses a link, a database, a folder, a device
    flags = os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    created = True
    try:
        try:
            descriptor = os.open(path, flags | os.O_CREAT | os.O_EXCL, _PRIVATE)
        except FileExistsError:
            created = False
            descriptor = os.open(path, flags)
    except OSError as error:
        raise _refusal(path, error) from None
    try:
        _refuse_what_it_is(path, os.fstat(descriptor), descriptor)
    except CannotWrite:
        os.close(descriptor)
        raise
    return AppendOnly(path, descriptor, created, encoding)


def open_private(path: Path, append: bool = False, encoding: str = "utf-8",
                 newline: str | None = None) -> AppendOnly:
    """``path`` opened for writing text, added to (``append``) or else replaced by an
    empty file first (whole, as :func:`write_private` does). Text is written as given:
    ``newline`` may only be ``""`` or ``None``, which mean the same on POSIX."""
    if newline not in ("", None):
        raise ValueError(f"newline={newline!r} is not supported")
    if not append:
        write_private(path, b"")
    return open_to_append(path, encoding)


def refuse_unwritable(path: Path) -> None:
    """Refuses, in words, what :func:`write_private` and :func:`open_to_append` would
    refuse (a link, a database or its companion files, a folder, a device), before a
    caller reads the file it means to add to."""
    _existing(path)


def _existing(path: Path) -> os.stat_result | None:
    """What is at ``path`` now (None: nothing), refused unless it is a plain file that is
    not a database; a name that belongs to a database's companion files is refused too,
    even before SQLite makes the file."""
    name = path.name
    if name.endswith(_COMPANIONS):
        for suffix in _COMPANIONS:
            if name.endswith(suffix) and _is_database(path.with_name(name[:-len(suffix)])):
                raise CannotWrite(f"cannot write {path}: it belongs to the database "
                                  f"{path.with_name(name[:-len(suffix)])}; name another "
                                  "file")
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _refusal(path, error) from None
    _refuse_what_it_is(path, found)
    return found


def _refuse_what_it_is(path: Path, found: os.stat_result, descriptor: int | None = None) \
        -> None:
    if stat.S_ISLNK(found.st_mode):
        raise CannotWrite(f"cannot write {path}: it is a symbolic link (the tracker does "
                          "not write through links); name the file itself")
    if stat.S_ISDIR(found.st_mode):
        raise CannotWrite(f"cannot write {path}: it is a folder; name a file in it")
    if not stat.S_ISREG(found.st_mode):
        raise CannotWrite(f"cannot write {path}: it is not a plain file (a device or a "
                          "pipe); name a file, or leave -o out to print")
    head = _head(path, descriptor)
    if head.startswith(_SQLITE_MAGIC) or head[:4] in _WAL_MAGIC:
        raise CannotWrite(f"cannot write {path}: it is a database; name another file")


def _head(path: Path, descriptor: int | None) -> bytes:
    if descriptor is not None:
        return os.pread(descriptor, len(_SQLITE_MAGIC), 0)
    # Three calls into the system, not a file object's dozen: an outbox run replaces
    # thousands of files, each looked at first. Not through a link, and never waiting
    # on a pipe, should either be put there since it was found to be a plain file.
    try:
        descriptor = os.open(path, _READ_HEAD)
    except OSError:  # unreadable: then it is not ours to judge; writing will say
        return b""
    try:
        return os.read(descriptor, len(_SQLITE_MAGIC))  # (from its start: just opened)
    except OSError:
        return b""
    finally:
        os.close(descriptor)


_READ_HEAD = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) \
    | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # (what the system has)


def _is_database(path: Path) -> bool:
    try:
        return not path.is_symlink() and path.is_file() and \
            _head(path, None).startswith(_SQLITE_MAGIC)
    except OSError:
        return False


def _hidden(path: Path) -> str:
    return f".{path.name[:200]}."


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _keep_permissions(descriptor: int, existing: os.stat_result) -> None:
    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with suppress(PermissionError):  # only the superuser may give a file away
            os.fchown(descriptor, existing.st_uid, existing.st_gid)


def _sync_folder(folder: Path) -> None:
    """The rename is on disk too (best effort: not every file system can say)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _refusal(path: Path, error: OSError) -> CannotWrite:
    if error.errno in _FULL:
        return CannotWrite(f"cannot write {path}: the disk is full; nothing was written "
                           "to it")
    if error.errno == errno.ELOOP:
        return CannotWrite(f"cannot write {path}: it is a symbolic link (the tracker does "
                           "not write through links); name the file itself")
    return CannotWrite(f"cannot write {path}: {error.strerror or error}")
