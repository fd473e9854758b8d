"""The kinds of meeting the hub runs, as a table: the purpose each shares for
(what the disclosure gate checks), the statement read at it, how long a case
usually takes and who chairs. Who must agree before minutes go further is the
law table's, by purpose (``protocols.engine.onward_sharing_rule``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sharehub.access.roles import Role
from sharehub.protocols.terms import Purpose


class MeetingType(enum.StrEnum):
    MARAC = "marac"
    MAPPA_LEVEL_2 = "mappa_level_2"
    MAPPA_LEVEL_3 = "mappa_level_3"
    ASB_CASE_REVIEW_PANEL = "asb_case_review_panel"
    ASB_CASE_CONFERENCE = "asb_case_conference"


@dataclass(frozen=True)
class Kind:
    name: str
    purpose: Purpose
    statement: str  # a code in statements.toml
    minutes_per_case: int
    # Hub-wide roles that arrange and chair this kind of meeting.
    organisers: tuple[Role, ...]
    # Where the kind's conduct and timings come from.
    source: str


MEETING_TYPES: dict[MeetingType, Kind] = {
    MeetingType.MARAC: Kind(
        "MARAC",
        Purpose.MARAC,
        "marac",
        15,
        (Role.MARAC_COORDINATOR, Role.MARAC_CHAIR),
        "SafeLives, MARAC guidance: 12-15 minutes a case; minutes not shared without "
        "the agreement of the agencies concerned",
    ),
    MeetingType.MAPPA_LEVEL_2: Kind(
        "MAPPA level 2 meeting",
        Purpose.MAPPA,
        "mappa",
        30,
        (Role.MAPPA_COORDINATOR, Role.MAPPA_CHAIR),
        "Ministry of Justice, MAPPA Guidance: MAPP meetings, MAPPA B minutes",
    ),
    MeetingType.MAPPA_LEVEL_3: Kind(
        "MAPPA level 3 meeting",
        Purpose.MAPPA,
        "mappa",
        45,
        (Role.MAPPA_COORDINATOR, Role.MAPPA_CHAIR),
        "Ministry of Justice, MAPPA Guidance: MAPP meetings, MAPPA B minutes",
    ),
    MeetingType.ASB_CASE_REVIEW_PANEL: Kind(
        "ASB case review panel",
        Purpose.ASB_CASE_REVIEW,
        "asb_case_review",
        60,
        (Role.ASB_CASE_REVIEW_COORDINATOR,),
        "Anti-social Behaviour, Crime and Policing Act 2014, section 104, Schedule 4",
    ),
    MeetingType.ASB_CASE_CONFERENCE: Kind(
        "ASB case conference",
        Purpose.ASB_CASE_MANAGEMENT,
        "asb_case_review",
        20,
        (Role.ASB_CASE_REVIEW_COORDINATOR,),
        "Local ASB case conference procedure (multi-agency problem solving)",
    ),
}
