"""A claim's evidence: what its content is (never what its name or the browser says),
and a name that is safe to offer for download."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from tracker.errors import InvalidInput

MOST_BYTES = 5 * 1024 * 1024
NAME_LENGTH = 100

# The type each accepted kind of file is stored and sent as, and its extension.
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Upload:
    """A file as the form (or a test) gave it: its name as the browser said, the bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Evidence:
    name: str  # safe: letters, digits, ``.-_`` and spaces, with the extension of its type
    type: str
    content: bytes


def sniffed(content: bytes) -> str | None:
    """The type of ``content`` by its first bytes: PDF, PNG or JPEG; None otherwise.

    A PDF starts with ``%PDF-`` (a file with anything before it, which readers tolerate,
    is refused: that is how HTML or a script hides in front of one); a PNG with its
    8-byte signature and then its IHDR chunk; a JPEG with the SOI marker and a marker.
    """
    if content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]:
        return PDF
    if content.startswith(_PNG_SIGNATURE) and content[12:16] == b"IHDR":
        return PNG
    if content[:3] == b"\xff\xd8\xff" and len(content) > 4:
        return JPEG
    return None


def checked(upload: Upload | None) -> Evidence | None:
    """The upload as evidence, or refused in words (nothing is stored then)."""
    if upload is None or (not upload.content and not upload.name.strip()):
        return None
    size = len(upload.content)
    if size == 0:
        raise InvalidInput("the evidence file is empty: choose the file again")
    if size > MOST_BYTES:
        shown = math.ceil(size / 1024 / 1024 * 10) / 10  # 5.01 MB is 5.1, never "5.0"
        raise InvalidInput(f"the evidence file is {shown:.1f} MB; at most "
                           f"{MOST_BYTES // 1024 // 1024} MB are taken (a photo of a "
                           "certificate at a lower size, or a PDF, will do)")
    kind = sniffed(upload.content)
    if kind is None:
        raise InvalidInput("the evidence must be a PDF, PNG or JPEG file, and this one's "
                           "content is none of them (renaming a file does not change "
                           "what it is)")
    return Evidence(safe_name(upload.name, kind), kind, upload.content)


def safe_name(given: str, kind: str) -> str:
    """The file's own name without any folder, with only plain characters, and the
    extension of what it is: ``../../etc/passwd.pdf`` becomes ``passwd.pdf``,
    ``photo.html`` (a JPEG) ``photo.html.jpg``."""
    base = re.split(r"[\\/]", given)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._ -]+", "_", base).strip(" ._") or "evidence"
    extension = EXTENSIONS[kind]
    stem, dot, ending = base.rpartition(".")
    if dot and ending.lower() in ({extension, "jpeg"} if kind == JPEG else {extension}):
        base = stem.strip(" ._") or "evidence"
    return f"{base[:NAME_LENGTH - len(extension) - 1]}.{extension}"
