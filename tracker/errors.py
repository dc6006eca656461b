"""The project's own errors. Services raise these; the CLI turns them into messages.

Every subclass of :class:`TrackerError` means "bad usage or bad input": the command
stops, nothing is written, and the user sees one sentence (exit code 2).
"""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as is (exit code 2)."""


class InvalidInput(TrackerError):
    """A value on the command line or in a file is malformed."""


class NotFound(TrackerError):
    """A student, activity, kind, requirement set or change does not exist."""


class RulesError(TrackerError):
    """A rules file is refused; ``problems`` lists every reason, each with its line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: rules refused ({len(problems)} problem(s)):\n{listed}")


class NoRequirementSet(TrackerError):
    """No requirement set of the rules applies to a student."""


class DatabaseNotReady(TrackerError):
    """The database is at another schema revision than this tracker expects."""


class CannotUndo(TrackerError):
    """There is nothing to undo, or a later change depends on the one to undo."""


class ImportRefused(TrackerError):
    """A file has problems; the message lists the first of them, each with its line."""
