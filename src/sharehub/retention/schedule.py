"""The retention schedule as data (``schedule.toml``), loaded and checked."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

import msgspec

DEFAULT_SCHEDULE_FILE = Path(__file__).with_name("schedule.toml")

# Each kind the hub keeps: the date its clock starts at, and what the purge
# does to it (retention/service.py). The file must say the same, so that it
# never reads as promising something the purge does not do.
HANDLED = {
    "disclosure": ("disclosed", "delete"),
    "consent": ("ended", "delete"),
    "safeguarding_override": ("reviewed", "anonymise"),
    "subject": ("last_changed", "anonymise"),
    "user_session": ("ended", "delete"),
    "asb_report": ("closed", "delete"),
    "cctv_recording": ("recorded", "delete"),
}


class KindRule(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename={"start": "from"}):
    days: int
    start: str
    action: Literal["delete", "anonymise"]
    citation: str
    protocol_override: bool = False


class Schedule(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    version: str
    kinds: dict[str, KindRule]


class ScheduleError(ValueError):
    pass


def load_schedule(path: Path = DEFAULT_SCHEDULE_FILE) -> Schedule:
    try:
        schedule = msgspec.convert(tomllib.loads(path.read_text()), Schedule)
    except (OSError, tomllib.TOMLDecodeError, msgspec.ValidationError) as exc:
        raise ScheduleError(f"{path}: {exc}") from None
    for kind, rule in schedule.kinds.items():
        if kind not in HANDLED:
            raise ScheduleError(f"{path}: kinds.{kind}: the hub keeps no such kind of record")
        start, action = HANDLED[kind]
        if rule.start != start:
            raise ScheduleError(f"{path}: kinds.{kind}.from: one of {start}")
        if rule.action != action:
            raise ScheduleError(f"{path}: kinds.{kind}.action: the purge can only {action} these")
        if not 1 <= rule.days <= 36500:
            raise ScheduleError(f"{path}: kinds.{kind}.days: between 1 and 36500")
        if rule.protocol_override and kind != "disclosure":
            raise ScheduleError(f"{path}: kinds.{kind}: only disclosures follow a protocol")
    cctv = schedule.kinds.get("cctv_recording")
    if cctv is not None:
        from sharehub.referrals.asb.attachment_rules import attachment_rules

        policy = attachment_rules().cctv.keep_days
        if cctv.days != policy:
            raise ScheduleError(
                f"{path}: kinds.cctv_recording.days: must be the CCTV policy's {policy} days "
                "(referrals/asb/attachments.toml), which dates each recording when it is attached"
            )
    missing = set(HANDLED) - set(schedule.kinds)
    if missing:
        raise ScheduleError(f"{path}: no rule for {', '.join(sorted(missing))}")
    return schedule
