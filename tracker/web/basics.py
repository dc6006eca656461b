"""What machines ask for: ``/healthz`` (a load balancer) and ``/favicon.ico`` (a browser,
beside the first page). Neither looks at a session nor sets a cookie."""

from __future__ import annotations

import struct
from functools import cache
from typing import Any

from flask import Response
from sqlalchemy import text

from tracker.web.here import portal


def healthz() -> Any:
    try:
        with portal().db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return Response("the database does not answer\n", 503, mimetype="text/plain")
    return Response("ok\n", mimetype="text/plain")


def favicon() -> Any:
    return Response(icon(), mimetype="image/x-icon",
                    headers={"Cache-Control": "public, max-age=604800"})


@cache
def icon() -> bytes:
    """A 16×16 icon: a white tick on the pages' blue (an ICO holding one BMP)."""
    size = 16
    blue, white = (0xDA, 0x69, 0x09, 0xFF), (0xFF, 0xFF, 0xFF, 0xFF)  # BGRA
    tick = {(3, 8), (4, 9), (5, 10), (6, 11), (7, 10), (8, 9), (9, 8), (10, 7), (11, 6),
            (12, 5)}
    pixels = bytearray()
    for row in range(size - 1, -1, -1):  # a BMP stores its rows bottom up
        for column in range(size):
            on = any((column, row + dy) in tick for dy in (0, 1))
            pixels += bytes(white if on else blue)
    mask = bytes(4 * size)  # every pixel shown (32 bits a row)
    header = struct.pack("<IiiHHIIiiII", 40, size, 2 * size, 1, 32, 0,
                         len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + bytes(pixels) + mask
    directory = struct.pack("<HHH", 0, 1, 1) + struct.pack(
        "<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + image
