"""Where students reach the portal (``--base-url``): links, the origin, the cookie's name."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tracker.errors import InvalidInput


@dataclass(frozen=True)
class Site:
    """Where students reach the portal: every link and the same-origin check use it,
    never the request's Host."""

    base_url: str  # without the trailing slash
    origin: str
    https: bool

    @classmethod
    def of(cls, base_url: str) -> Site:
        text = base_url.strip().rstrip("/")
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"the base URL {base_url!r} is not an http:// or https:// "
                               "address, such as https://tracker.example.org")
        if parts.path or parts.query or parts.fragment or parts.username:
            raise InvalidInput(f"the base URL {base_url!r} must be the root of a site, such "
                               "as https://tracker.example.org (not a path in it)")
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        return cls(origin, origin, parts.scheme == "https")

    def link(self, path: str) -> str:
        return self.base_url + path

    @property
    def cookie_name(self) -> str:
        # The __Host- prefix: the browser takes the cookie only from this host, Secure,
        # Path=/ and without Domain; another host of the university cannot plant one.
        return "__Host-tracker" if self.https else "tracker"

    @property
    def device_cookie_name(self) -> str:
        """A browser's own name at the door (kept across sign-ins): a scan kept for a
        sign-in, and a second student checked in from the same phone, are found by it."""
        return "__Host-tracker-device" if self.https else "tracker-device"
