"""Dates as the partnership sees them: England and Wales local time.

Protocols' review dates and statutory clocks run on the local calendar, not
UTC: just after midnight in British Summer Time it is already tomorrow here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

LOCAL_TIME = ZoneInfo("Europe/London")


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(LOCAL_TIME)).astimezone(LOCAL_TIME).date()


# --- working days and working hours ---------------------------------------------------
#
# Response targets and statutory clocks (the ASB case review's, landlords'
# "1 working day" and "24 working hours") run on working days: Monday to Friday
# except bank holidays. England and Wales share their bank holidays (Banking and
# Financial Dealings Act 1971 Sch 1, and the substitute days proclaimed under
# it), which the `holidays` package lists as subdivision ENG.

_BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _BANK_HOLIDAYS


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("count working days forwards")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count


@dataclass(frozen=True)
class WorkingHours:
    """An agency's working day in local time (default 09:00 to 17:00)."""

    opens: time = time(9)
    closes: time = time(17)

    def __post_init__(self) -> None:
        if self.closes <= self.opens:
            raise ValueError("a working day closes after it opens")


def add_working_hours(
    start: datetime, hours: float, working: WorkingHours = WorkingHours()
) -> datetime:
    """The moment ``hours`` working hours after ``start`` (aware), in UTC.

    Counted on the local wall clock, so a working day is the same length
    either side of a change to or from British Summer Time.
    """
    if start.tzinfo is None:
        raise ValueError("give an aware datetime")
    remaining = timedelta(hours=hours)
    moment = start.astimezone(LOCAL_TIME).replace(tzinfo=None)
    while True:
        day = moment.date()
        opens, closes = datetime.combine(day, working.opens), datetime.combine(day, working.closes)
        if not is_working_day(day) or moment >= closes:
            moment = datetime.combine(day + timedelta(days=1), working.opens)
            continue
        moment = max(moment, opens)
        if moment + remaining <= closes:
            return (moment + remaining).replace(tzinfo=LOCAL_TIME).astimezone(UTC)
        remaining -= closes - moment
        moment = datetime.combine(day + timedelta(days=1), working.opens)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier), clamped to the
    month's last day: 31 January plus one month is the last day of February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))
