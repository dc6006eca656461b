"""The door's codes and window as pure functions, at the edges of their steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.service.portal.doorcode import (
    CodeAge,
    Window,
    code_at,
    current_code,
    judge_code,
    seconds_to_next_step,
    step_of,
    window_at,
)

KEY = bytes(range(32))
STEP_START = datetime(2026, 12, 1, 9, 0, 0, tzinfo=UTC)  # a multiple of 10 seconds


def at(seconds: float) -> datetime:
    return STEP_START + timedelta(seconds=seconds)


def test_a_step_is_ten_seconds_from_the_epoch():
    assert step_of(at(0)) == step_of(at(9.999))
    assert step_of(at(10)) == step_of(at(0)) + 1
    assert seconds_to_next_step(at(3)) == 7


def test_the_code_changes_at_the_step_boundary_and_not_before():
    assert current_code(KEY, 3, at(9.999)) == current_code(KEY, 3, at(0))
    assert current_code(KEY, 3, at(10)) != current_code(KEY, 3, at(9.999))
    assert len(current_code(KEY, 3, at(0))) == 8


def test_the_current_and_the_previous_step_are_accepted():
    code = current_code(KEY, 3, at(0))
    assert judge_code(KEY, 3, code, at(0)) == CodeAge.GOOD
    assert judge_code(KEY, 3, code, at(19.999)) == CodeAge.GOOD  # the previous step
    assert judge_code(KEY, 3, code.upper(), at(5)) == CodeAge.GOOD  # as a phone may type


def test_two_steps_back_is_expired():
    code = current_code(KEY, 3, at(0))
    assert judge_code(KEY, 3, code, at(20)) == CodeAge.EXPIRED
    assert judge_code(KEY, 3, code, at(3000)) == CodeAge.EXPIRED


def test_a_future_step_is_not_accepted():
    future = code_at(KEY, 3, step_of(at(0)) + 1)
    assert judge_code(KEY, 3, future, at(0)) == CodeAge.UNKNOWN


def test_another_activity_or_another_key_or_a_made_up_code_is_unknown():
    code = current_code(KEY, 3, at(0))
    assert judge_code(KEY, 4, code, at(0)) == CodeAge.UNKNOWN
    assert judge_code(bytes(32), 3, code, at(0)) == CodeAge.UNKNOWN
    assert judge_code(KEY, 3, "aaaaaaaa", at(0)) == CodeAge.UNKNOWN
    assert judge_code(KEY, 3, "", at(0)) == CodeAge.UNKNOWN
    assert judge_code(KEY, 3, "é" * 8, at(0)) == CodeAge.UNKNOWN


def test_the_window():
    opened, closes = at(0), at(3600)
    assert window_at(None, None, None, at(0)) == Window.NOT_OPEN
    assert window_at(opened, closes, None, at(-1)) == Window.NOT_OPEN
    assert window_at(opened, closes, None, at(0)) == Window.OPEN
    assert window_at(opened, closes, None, at(3599.9)) == Window.OPEN
    assert window_at(opened, closes, None, at(3600)) == Window.CLOSED
    assert window_at(opened, closes, at(60), at(59)) == Window.OPEN
    assert window_at(opened, closes, at(60), at(60)) == Window.CLOSED
