"""Dates as the partnership sees them: England and Wales local time.

Protocols' review dates and statutory clocks run on the local calendar, not
UTC: just after midnight in British Summer Time it is already tomorrow here.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/London")


def local_today(now: datetime | None = None) -> date:
    return (now or datetime.now(LOCAL_TIME)).astimezone(LOCAL_TIME).date()
