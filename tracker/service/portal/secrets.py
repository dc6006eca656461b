"""Random secrets that travel (cookies, links, codes, calendar addresses), their hashes,
and the portal's key."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.exc import IntegrityError

from tracker.db.engine import Database
from tracker.db.models import Setting

TOKEN_BYTES = 32  # 256 bits: a sign-in link, a session id, a calendar address
# A typed code: 6 characters a person reads off a phone without confusing them (no 0/O,
# 1/I/L): 30 bits. It works only in the browser that asked, and 5 wrong ones void it.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_PORTAL_KEY = "portal key"


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> str:
    """What the database keeps of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def typed_code(raw: str) -> str:
    """A code as typed: any case, spaces and dashes ignored."""
    return "".join(c for c in raw.upper() if c.isalnum())


def shown_code(code: str) -> str:
    """A code as a mail shows it: ``KQ7-M3X``."""
    return f"{code[:3]}-{code[3:]}"


def code_digest(request_id: int, code: str) -> str:
    return digest(f"{request_id}:{code}")


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def portal_key(db: Database) -> bytes:
    """The key of the portal's CSRF tokens: made once, kept in the database, so that
    every process (and host) on it signs and checks alike."""
    for _ in range(2):
        with db.transaction(read_only=True) as session:
            found = session.get(Setting, _PORTAL_KEY)
            if found is not None:
                return bytes.fromhex(found.value)
        try:
            with db.transaction() as session:
                if session.get(Setting, _PORTAL_KEY) is None:
                    session.add(Setting(name=_PORTAL_KEY, value=secrets.token_hex(32)))
        except IntegrityError:  # another process made it at the same moment
            continue
    raise RuntimeError("the portal key could not be made")  # pragma: no cover


def keyed(key: bytes, purpose: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` for one ``purpose``, hex."""
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
