"""Messages made in bytes, part by part: a part is sent as it is only when it is ASCII
in lines of at most 900 characters, else in base64, and a message reads back as the
email package reads it."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

import pytest

from tracker.errors import InvalidInput
from tracker.mail.mime import _LONGEST_LINE, MessageMaker, _has_long_line


def _longest(data: bytes) -> int:
    return max(map(len, data.split(b"\n")))


@pytest.mark.parametrize("before", [0, 1, 449, 450, 451, 452, 900, 901, 1803])
@pytest.mark.parametrize("length", [0, 1, 450, 451, 899, 900, 901, 902, 1400, 2000])
def test_a_long_line_is_found_wherever_it_is(before, length):
    short = (b"x" * 60 + b"\n") * 3
    for data in (b"a" * before + b"\n" + b"L" * length + b"\n" + short,  # in the middle
                 b"a" * before + b"\n" + short + b"L" * length,  # last, without an end
                 b"L" * length + b"\n" + b"b" * before,  # first
                 b"L" * length):  # alone
        assert _has_long_line(data) == (_longest(data) > _LONGEST_LINE), (before, length)


def test_a_message_reads_back_part_for_part():
    maker = MessageMaker("AASCO coordinator <aasco@example.org>")
    text = "Dear Zoë,\n\n  ✗ Colloquia: 0 of 6 done\n"
    long_html = "<p>" + "é" * 200 + "</p>" + "<td>x</td>" * 100 + "\n<p>short</p>"
    for html in ("<p>plain</p>", "<p>Zoë — ✗</p>\n" * 40, long_html, None):
        message = maker.make("Zoë van Dijk", "zoe@example.org", "Career orientation: 1 item",
                             text + "x" * 950, html)
        raw = message.data
        assert raw.isascii() and all(len(line) <= 998 for line in raw.split(b"\n"))
        parsed = message_from_bytes(raw, policy=default)
        assert parsed["To"] == "Zoë van Dijk <zoe@example.org>"
        assert parsed.get_body(("plain",)).get_content() == text + "x" * 950 + "\n"
        if html is not None:
            from html import unescape

            got = parsed.get_body(("html",))
            assert unescape(got.get_content()) == html + ("" if html.endswith("\n") else "\n")
            long = _longest(html.encode("ascii", "xmlcharrefreplace")) > _LONGEST_LINE
            assert got["Content-Transfer-Encoding"] == ("base64" if long else "7bit")


@pytest.mark.parametrize("field", ["name", "address", "subject"])
@pytest.mark.parametrize("breaker", ["\r\nBcc: eve@example.org", "\rBcc: x", "\x00"])
def test_no_header_takes_a_line_break_or_a_nul(field, breaker):
    """Names, addresses and subjects are checked where they are entered; the message
    refuses them again, so that no Bcc: can ride in on a name."""
    values = {"name": "Ada Lovelace", "address": "ada@example.org", "subject": "Hello"}
    values[field] += breaker
    with pytest.raises(InvalidInput, match="line break or NUL"):
        MessageMaker("AASCO <aasco@example.org>").make(
            values["name"], values["address"], values["subject"], "Text.\n")
