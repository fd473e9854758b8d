"""First-response targets by harm level, as data with their sources.

Defaults from the two landlord community safety policies this project started
from: high harm within 1 working day, low harm within 5 working days; urgent
within 24 working hours. A target in working days falls due at the close of
business on that day; one in working hours, that many office hours on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharehub.calendar import LOCAL_TIME, WorkingHours, add_working_days, add_working_hours

POLICY_A = "Landlord ASB policy A: respond within 1 working day (high harm), 5 (low harm)"
POLICY_B = "Landlord ASB policy B: respond within 24 working hours if urgent"


@dataclass(frozen=True)
class Target:
    citation: str
    working_days: int | None = None
    working_hours: int | None = None


TARGETS: dict[str, Target] = {
    "urgent": Target(POLICY_B, working_hours=24),
    "high": Target(POLICY_A, working_days=1),
    "low": Target(POLICY_A, working_days=5),
}


@dataclass(frozen=True)
class Policy:
    """An agency's targets and office hours (the defaults, or its own)."""

    targets: dict[str, Target]
    office: WorkingHours = WorkingHours()


DEFAULT_POLICY = Policy(TARGETS)


def response_due(received_at: datetime, level: str, policy: Policy = DEFAULT_POLICY) -> datetime:
    target, office = policy.targets[level], policy.office
    if target.working_hours is not None:
        return add_working_hours(received_at, target.working_hours, office)
    day = add_working_days(received_at.astimezone(LOCAL_TIME).date(), target.working_days or 0)
    return datetime.combine(day, office.closes, tzinfo=LOCAL_TIME)
