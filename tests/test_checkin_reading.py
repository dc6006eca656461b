"""Check-in at the door: a scanned or typed line read as a student number (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tracker.fields import door_number
from tracker.service.checkin import one_typo_away

# --- reading a line: pure ------------------------------------------------------------

numbers = st.from_regex(r"s[0-9]{7}", fullmatch=True)
seven_digits = st.from_regex(r"[0-9]{7}", fullmatch=True)
wrapping = st.text(st.sampled_from(" \t\r\n\x02\x03\x00\x1b\x7f\x85\ufeff\u200b*"),
                   max_size=6)


@given(number=numbers, before=wrapping, after=wrapping, upper=st.booleans())
def test_a_scanned_or_typed_number_reads_as_itself(number, before, after, upper):
    typed = before + (number.upper() if upper else number) + after
    assert door_number(typed, leiden=True) == number
    assert door_number(typed, leiden=False) == number


@given(digits=seven_digits, before=wrapping, after=wrapping)
def test_seven_digits_alone_are_a_leiden_number_only_under_the_leiden_pattern(
        digits, before, after):
    assert door_number(before + digits + after, leiden=True) == "s" + digits
    assert door_number(before + digits + after, leiden=False) == digits


@given(line=st.text())
def test_reading_never_fails_and_reading_again_changes_nothing(line):
    for leiden in (True, False):
        once = door_number(line, leiden=leiden)
        assert door_number(once, leiden=leiden) == once
        assert not any(character.isspace() for character in once)


def test_scanner_forms():
    assert door_number("\x02*S1234567*\x03\r\n", leiden=True) == "s1234567"
    assert door_number("  1234567\t", leiden=True) == "s1234567"
    assert door_number("12345678", leiden=True) == "12345678"  # not 7 digits: as typed
    assert door_number("s12 34567", leiden=True) == "s1234567"  # as `attend` reads it


def mutate(number: str, position: int, digit: str) -> str:
    return number[:position] + digit + number[position + 1:]


@given(number=numbers, position=st.integers(1, 7), digit=st.sampled_from("0123456789"))
def test_one_digit_different_is_suggested(number, position, digit):
    typo = mutate(number, position, digit)
    assert list(one_typo_away(typo, {number, "s0000000x"})) == ([] if typo == number
                                                                 else [number])


@given(number=numbers, position=st.integers(1, 6))
def test_two_adjacent_digits_swapped_are_suggested(number, position):
    swapped = (number[:position] + number[position + 1] + number[position]
               + number[position + 2:])
    assert list(one_typo_away(swapped, {number})) == ([] if swapped == number else [number])


@given(number=numbers, first=st.integers(1, 5), shifts=st.tuples(st.integers(1, 9),
                                                                    st.integers(1, 9)))
def test_two_typos_are_not_suggested(number, first, shifts):
    def shifted(digit: str, by: int) -> str:
        return str((int(digit) + by) % 10)

    typo = mutate(number, first, shifted(number[first], shifts[0]))
    typo = mutate(typo, first + 2, shifted(number[first + 2], shifts[1]))
    assert list(one_typo_away(typo, {number})) == []


