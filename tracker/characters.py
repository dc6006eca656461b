"""Characters a reader cannot see, and text as a terminal may safely show it.

A name or a title is shown on terminals, pages and e-mails; a character that cannot be
seen there (a control character, a right-to-left override that makes ``Ada`` print as
another name, a zero-width space in a title) is refused where text comes in, and any
text a message quotes (a file's name, a header, a rules label) is escaped on the way out.
"""

from __future__ import annotations

import unicodedata

SHOWN = 60  # characters of a value a message quotes
_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiner: part of Persian words, emoji


def invisible(text: str) -> str | None:
    """The first character of ``text`` that cannot be seen or reorders what can, in
    words (``U+202E RIGHT-TO-LEFT OVERRIDE``); None when there is none. Line breaks
    and tabs are the caller's to judge."""
    if text.isascii():
        return next((_named(c) for c in text if (c < " " and c not in "\n\t") or c == "\x7f"),
                    None)
    for at, character in enumerate(text):
        category = unicodedata.category(character)
        if category == "Cc" and character not in "\n\t":
            return _named(character)
        if category in ("Cf", "Cs", "Zl", "Zp") and not (
                character in _JOINERS and 0 < at < len(text) - 1
                and _visible(text[at - 1]) and _visible(text[at + 1])):
            return _named(character)
    return None


def _named(character: str) -> str:
    if unicodedata.category(character) == "Cs":
        return f"U+{ord(character):04X}, a byte that is not text"
    return f"U+{ord(character):04X} {unicodedata.name(character, 'CONTROL CHARACTER')}"


def _visible(character: str) -> bool:
    return not character.isspace() and unicodedata.category(character) not in ("Cf", "Cc")


def shown(value: str, limit: int = SHOWN) -> str:
    """``value`` as a message may print it on a terminal: what cannot be printed
    (control, format, bidi characters) escaped as ``\\x1b``, ``\\u202e``; cut to
    ``limit`` characters."""
    cut = value if len(value) <= limit else value[:limit]
    if not cut.isprintable():
        cut = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                      for c in cut)
    return cut if len(value) <= limit else f"{cut}… ({len(value):,} characters)"
