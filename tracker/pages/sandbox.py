"""A Jinja2 sandbox for templates the tracker did not write (a coordinator's reminder
wording from a shared drive): no attribute that reaches the interpreter, no file but the
built-in templates it is given, and bounds on what one expression and one rendering may
make. Memory and time are bounded by the process the rendering runs in
(:mod:`tracker.forked`); what can be refused early is refused here, in words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

from jinja2 import DictLoader, StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

MOST_CHARACTERS = 200_000  # one message: far more than any reminder needs
_MOST_POWER = 64  # x ** n: n at most this


_MOST_NUMBER = 10**12
DICT_ATTRIBUTES = frozenset(dir(dict))


def _too_big(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > _MOST_NUMBER
    if isinstance(value, str | bytes | list | tuple):
        return len(value) > MOST_CHARACTERS
    return False


def _refuse(what: str, value: Any) -> SecurityError:
    if isinstance(value, int):
        return SecurityError(f"{what} makes a number beyond {_MOST_NUMBER:,}")
    return SecurityError(f"{what} makes more than {MOST_CHARACTERS:,} characters")


class DictKeys:
    """``item.label`` of a plain dict (what a reminder's context is made of) is its key,
    as Jinja2 gives it after the attribute is not found, without raising and catching
    that miss each time; a dict's own methods (``item.keys``) and every other object go
    the environment's own way (the sandbox's, in a sandbox)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)  # type: ignore[misc]


class BoundedSandbox(DictKeys, SandboxedEnvironment):
    """Jinja2's sandbox, with ``*``, ``**`` and ``+`` and every call and filter checked
    for results (and arguments) too large for a message."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, sources: Mapping[str, str]) -> None:
        super().__init__(loader=DictLoader(dict(sources)), undefined=StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, autoescape=False,
                         auto_reload=False)
        self.filters = {name: _bounded(f) for name, f in self.filters.items()}
        self.globals.clear()  # no range, lipsum, cycler ...: the names a template gets

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > _MOST_POWER:
            raise SecurityError(f"a power of {right} is too large")
        if operator == "*":
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sizes and counts and sizes[0] * max(counts[0], 0) > MOST_CHARACTERS:
                raise _refuse("repeating a text", "")
        result = super().call_binop(context, operator, left, right)
        if _too_big(result):
            raise _refuse(f"'{operator}'", result)
        return result

    def call(__self, __context: Context, __obj: Any, *args: Any,
             **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if _too_big(result):
            raise _refuse("a call", result)
        return result


def _check_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) \
                and abs(value) > MOST_CHARACTERS:
            raise SecurityError(f"{value} is too large an argument")


def _bounded(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # (keeps what Jinja2 passes it: context, environment)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)
        result = function(*args, **kwargs)
        if _too_big(result):
            raise _refuse(f"the filter {function.__name__}", result)
        return result

    return checked


def render_bounded(template: Any, context: Mapping[str, Any]) -> str:
    """``template`` rendered, refused once its output passes :data:`MOST_CHARACTERS`.

    The output is taken a few dozen pieces at a time, each step in C: a reminder is some
    sixty pieces, and a Python step per piece was a fifth of its wording. A step adds
    at most ``_PIECES_A_STEP`` pieces, each bounded by the checks above, before the
    total is checked (the process's memory limit bounds the rest)."""
    generated = template.generate(context)
    pieces: list[str] = []
    size = 0
    while True:
        before = len(pieces)
        pieces.extend(islice(generated, _PIECES_A_STEP))
        if len(pieces) == before:
            return "".join(pieces)
        size += sum(map(len, pieces[before:]))
        if size > MOST_CHARACTERS:
            raise SecurityError(f"the message would be longer than {MOST_CHARACTERS:,} "
                                "characters")


_PIECES_A_STEP = 64
