"""Working days and working hours in England and Wales."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharehub.calendar import (
    LOCAL_TIME,
    WorkingHours,
    add_working_days,
    add_working_hours,
    is_working_day,
    working_days_between,
)


@pytest.mark.parametrize(
    "start,days,due",
    [
        # Christmas 2026: Friday 25th, Boxing Day (Saturday) observed Monday 28th, New Year Friday.
        (date(2026, 12, 23), 5, date(2027, 1, 4)),
        (date(2026, 12, 23), 1, date(2026, 12, 24)),
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
        # A Friday: the next working day is Monday.
        (date(2026, 11, 20), 1, date(2026, 11, 23)),
        (date(2026, 11, 20), 0, date(2026, 11, 20)),
    ],
)
def test_working_days_skip_weekends_and_bank_holidays(start, days, due):
    assert add_working_days(start, days) == due


def test_bank_holidays_of_england_and_wales():
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day observed
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday (not Scotland's)
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer holiday is not ours


@given(st.dates(date(2026, 1, 1), date(2030, 12, 31)), st.integers(0, 60))
def test_counting_back_agrees_with_counting_forward(start, days):
    assert working_days_between(start, add_working_days(start, days)) == days


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TIME)


@pytest.mark.parametrize(
    "start,hours,due",
    [
        # 24 working hours from Friday 10:00 GMT, across the change to BST on
        # Sunday 29 March 2026: 7 + 8 + 8 + 1 hours, ending 10:00 BST (09:00 UTC).
        (at(2026, 3, 27, 10), 24, datetime(2026, 4, 1, 9, tzinfo=UTC)),
        # Across the change back on Sunday 25 October 2026: ends 11:00 GMT.
        (at(2026, 10, 23, 11), 8, datetime(2026, 10, 26, 11, tzinfo=UTC)),
        # Reported out of hours: the clock starts when the office opens.
        (at(2026, 11, 20, 20), 1, datetime(2026, 11, 23, 10, tzinfo=UTC)),
        (at(2026, 11, 21, 8), 2, datetime(2026, 11, 23, 11, tzinfo=UTC)),
        # Before Christmas: 24 working hours from Wednesday 23 December 16:00.
        # 1 + 8 (Thursday 24th) + 8 (Tuesday 29th) + 7 (Wednesday 30th).
        (at(2026, 12, 23, 16), 24, datetime(2026, 12, 30, 16, tzinfo=UTC)),
    ],
)
def test_working_hours_follow_the_local_clock(start, hours, due):
    assert add_working_hours(start, hours) == due


def test_an_agency_can_keep_other_hours():
    late = WorkingHours(
        opens=LOCAL_TIME and datetime(2026, 1, 1, 8).time(), closes=datetime(2026, 1, 1, 20).time()
    )
    assert add_working_hours(at(2026, 11, 23, 19), 2, late) == datetime(2026, 11, 24, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        WorkingHours(opens=time(17), closes=time(9))
