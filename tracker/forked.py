"""Work done in forked processes, each on a slice of the items, within limits.

Two jobs use it: an outbox of thousands of messages (making a message is work for the
processor, and the messages are independent), and rendering a coordinator's reminder
template, which must not be able to take the machine's memory or time: a child that
goes over its limits dies alone, and the parent says so in a sentence.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar, cast

R = TypeVar("R")
T = TypeVar("T")


class WorkerFailed(Exception):
    """A child died, went over a limit or raised; the text says which, in words."""


@dataclass(frozen=True)
class Limits:
    """What one child may use beyond what it had when it was forked."""

    memory_mb: int  # more address space
    cpu_seconds: int  # more processor time
    wall_seconds: float  # from the start of the work, for all children together


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def cores() -> int:
    return os.cpu_count() or 1


def slices(total: int, parts: int) -> list[range]:
    """``range(total)`` dealt into at most ``parts`` parts, the i-th taking every
    ``parts``-th item from i. Items side by side tend to cost alike (a cohort's students
    are listed together), so dealing them out, rather than cutting the list in blocks,
    gives each process a fair share of the dear ones and none waits long for the last."""
    parts = max(min(parts, total), 1)
    return [range(first, total, parts) for first in range(parts)] if total else []


def pick(items: Sequence[T], part: range) -> Sequence[T]:
    """The items of ``items`` that ``part`` (one of :func:`slices`) takes, in order."""
    return items[part.start:part.stop:part.step]


def merged(parts: Sequence[range], shares: Sequence[Sequence[T]]) -> list[T]:
    """Each part's share (one result per item it took) put back in the items' order."""
    whole: list[Any] = [None] * sum(len(part) for part in parts)
    for part, share in zip(parts, shares, strict=True):
        whole[part.start:part.stop:part.step] = share  # (a share of the wrong length raises)
    return whole


def in_workers(work: Callable[[range], R], parts: Sequence[range],
               limits: Limits | None = None) -> list[R]:
    """``work(part)`` for each of ``parts``, each in a forked child (which shares the
    parent's memory as it was), the results in the order of ``parts``."""
    context = multiprocessing.get_context("fork")
    children: list[Any] = []
    readers: dict[Connection, int] = {}
    try:
        for i, part in enumerate(parts):
            reader, writer = context.Pipe(duplex=False)
            child = context.Process(target=_child, args=(writer, work, part, limits),
                                    daemon=True)
            child.start()
            writer.close()
            children.append(child)
            readers[reader] = i
        return _collect(readers, children, limits)
    finally:
        for child in children:
            if child.is_alive():
                child.kill()
            child.join()


def _collect(readers: dict[Connection, int], children: list[Any],
             limits: Limits | None) -> list[Any]:
    results: list[Any] = [None] * len(readers)
    deadline = None if limits is None else time.monotonic() + limits.wall_seconds
    while readers:
        left = None if deadline is None else max(deadline - time.monotonic(), 0)
        ready = wait(list(readers), timeout=left)
        if not ready:
            assert limits is not None
            raise WorkerFailed(f"it took longer than {limits.wall_seconds:g} s")
        for ready_one in ready:
            reader = cast(Connection, ready_one)
            i = readers.pop(reader)
            try:
                ok, value = reader.recv()
            except EOFError:
                children[i].join()
                raise WorkerFailed(_death(children[i].exitcode, limits)) from None
            if not ok:
                raise WorkerFailed(value)
            results[i] = value
    return results


def _death(code: int | None, limits: Limits | None) -> str:
    import signal

    if limits is not None and code == -signal.SIGXCPU:
        return f"it used more than {limits.cpu_seconds} s of processor time"
    if limits is not None and code == -signal.SIGKILL:
        return f"it used more than {limits.memory_mb} MB of memory"
    return f"its process stopped (exit code {code})"


def _child(writer: Connection, work: Callable[[range], Any], part: range,
           limits: Limits | None) -> None:
    try:
        if limits is not None:
            _limit(limits)
        value = work(part)
    except MemoryError:
        writer.send((False, "it ran out of the memory it may use"))
    except BaseException as error:
        writer.send((False, str(error) or type(error).__name__))
    else:
        writer.send((True, value))
    finally:
        writer.close()


def _limit(limits: Limits) -> None:
    """Lower this process's own limits: address space and processor time (where the
    system has them)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows, which does not fork
        return
    used_cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(used_cpu.ru_utime + used_cpu.ru_stime) + limits.cpu_seconds
    _lower(resource, resource.RLIMIT_CPU, cpu)
    size = _address_space()
    if size is not None:
        _lower(resource, resource.RLIMIT_AS, size + limits.memory_mb * 1024 * 1024)


def _lower(resource: Any, which: int, soft: int) -> None:
    current, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    if current == resource.RLIM_INFINITY or soft < current:
        resource.setrlimit(which, (soft, hard))


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")
