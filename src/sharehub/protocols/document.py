"""A protocol version as a readable HTML document, for signatories and the file.

Every value from the record is escaped. The page carries its protective
marking (OFFICIAL) at top and bottom, as the Government Security
Classifications expect of a printed document, and needs nothing from outside:
its one style block is allowed by hash in the page's content security policy.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import date, datetime
from html import escape

from sharehub.agencies.types import AGENCY_TYPE_LABELS
from sharehub.protocols.schemas import PartyView, ProtocolView, VersionStatus, VersionView
from sharehub.protocols.terms import (
    Article6Basis,
    DataCategory,
    PartyRole,
    Purpose,
    Schedule1Condition,
)

MARKING = "OFFICIAL"

PURPOSE_LABELS = {
    Purpose.ASB_CASE_MANAGEMENT: "Anti-social behaviour case management",
    Purpose.MARAC: "Multi-agency risk assessment conference (MARAC)",
    Purpose.MAPPA: "Multi-agency public protection arrangements (MAPPA)",
    Purpose.ASB_CASE_REVIEW: "ASB case review (community trigger)",
    Purpose.CRIME_PREVENTION: "Crime and disorder prevention",
    Purpose.SAFEGUARDING: "Safeguarding children and adults at risk",
}
CATEGORY_LABELS = {
    DataCategory.IDENTITY: "Identity",
    DataCategory.CONTACT_DETAILS: "Contact details",
    DataCategory.ASB_INCIDENT_DETAILS: "ASB incident details",
    DataCategory.RISK_ASSESSMENT: "Risk assessment",
    DataCategory.CRIMINAL_OFFENCE_DATA: "Criminal offence data (UK GDPR, Article 10)",
    DataCategory.SPECIAL_CATEGORY_HEALTH: "Health (special category, UK GDPR, Article 9)",
    DataCategory.RACIAL_OR_ETHNIC_ORIGIN: "Racial or ethnic origin (special category, UK GDPR, Article 9)",
    DataCategory.RELIGIOUS_OR_PHILOSOPHICAL_BELIEFS: (
        "Religious or philosophical beliefs (special category, UK GDPR, Article 9)"
    ),
    DataCategory.SEX_LIFE_OR_SEXUAL_ORIENTATION: (
        "Sex life or sexual orientation (special category, UK GDPR, Article 9)"
    ),
    DataCategory.POLITICAL_OPINIONS: "Political opinions (special category, UK GDPR, Article 9)",
    DataCategory.TRADE_UNION_MEMBERSHIP: "Trade union membership (special category, UK GDPR, Article 9)",
    DataCategory.GENETIC_OR_BIOMETRIC: "Genetic or biometric data (special category, UK GDPR, Article 9)",
    DataCategory.SPECIAL_CATEGORY_OTHER: "Other special category data (UK GDPR, Article 9)",
    DataCategory.FINANCIAL: "Financial information",
    DataCategory.HOUSING_TENANCY: "Housing and tenancy",
    DataCategory.EDUCATION: "Education",
    DataCategory.SOCIAL_CARE: "Social care",
}
ARTICLE6_LABELS = {
    Article6Basis.CONSENT: "Article 6(1)(a) consent",
    Article6Basis.CONTRACT: "Article 6(1)(b) contract",
    Article6Basis.LEGAL_OBLIGATION: "Article 6(1)(c) legal obligation",
    Article6Basis.VITAL_INTERESTS: "Article 6(1)(d) vital interests",
    Article6Basis.PUBLIC_TASK: "Article 6(1)(e) public task",
    Article6Basis.LEGITIMATE_INTERESTS: "Article 6(1)(f) legitimate interests",
}
SCHEDULE1_LABELS = {
    Schedule1Condition.STATUTORY_PURPOSES: "Data Protection Act 2018, Schedule 1, paragraph 6, statutory purposes",
    Schedule1Condition.PREVENTING_UNLAWFUL_ACTS: (
        "Data Protection Act 2018, Schedule 1, paragraph 10, preventing or detecting unlawful acts"
    ),
    Schedule1Condition.SAFEGUARDING: (
        "Data Protection Act 2018, Schedule 1, paragraph 18, safeguarding of children and individuals at risk"
    ),
    Schedule1Condition.EXPLICIT_CONSENT: "UK GDPR, Article 9(2)(a), explicit consent",
}
ROLE_LABELS = {
    PartyRole.CONTROLLER: "Controller",
    PartyRole.JOINT_CONTROLLER: "Joint controller",
    PartyRole.PROCESSOR: "Processor",
}

STYLE = (
    "body{font-family:Arial,Helvetica,sans-serif;max-width:50em;margin:2em auto;"
    "padding:0 1em;line-height:1.4;color:#0b0c0c}"
    ".marking{text-align:center;font-weight:bold;letter-spacing:.1em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0 1em}"
    "th,td{border:1px solid #b1b4b6;padding:.3em .5em;text-align:left;vertical-align:top}"
    "th{background:#f3f2f1}"
    "@media print{body{margin:0}}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# Nothing but the style block above: no scripts, images, fonts or framing.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; frame-ancestors 'none'"
)


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "—"


def _when(value: datetime | None) -> str:
    return f"{value.day} {value:%B %Y %H:%M} UTC" if value else "—"


def _status(status: VersionStatus) -> str:
    return status.value.replace("_", " ")


def _paragraphs(text: str | None, missing: str) -> str:
    if not text:
        return f"<p><em>{_e(missing)}</em></p>"
    return "".join(f"<p>{_e(line)}</p>" for line in text.splitlines() if line.strip())


def _table(headings: list[str], rows: list[list[str]], empty: str) -> str:
    """A table of values already escaped (cells are built with ``_e``)."""
    if not rows:
        return f"<p><em>{_e(empty)}</em></p>"
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _acts_as(party: PartyView) -> str:
    said = []
    if party.on_behalf_of:
        said.append(
            f"Acts on behalf of {party.on_behalf_of_name} (Crime and Disorder Act 1998, section 115(1))"
        )
    if party.co_opted_for_case_reviews:
        said.append(
            "Co-opted into the ASB case review group (ASB, Crime and Policing Act 2014, section 104)"
        )
    return "<br>".join(_e(s) for s in said) or "—"


def _parties(version: VersionView) -> str:
    signed = {s.agency_id: s for s in version.signatures}
    rows = [
        [
            _e(p.agency_name),
            _e(AGENCY_TYPE_LABELS[p.agency_type]),
            _e(ROLE_LABELS[p.role]),
            _e(ARTICLE6_LABELS[p.article6]) if p.article6 else "not recorded",
            _acts_as(p),
            _e(f"signed {_when(signed[p.agency_id].signed_at)}")
            if p.agency_id in signed
            else "not yet signed",
        ]
        for p in version.parties
    ]
    return _table(
        ["Agency", "Type", "Role", "Its UK GDPR, Article 6 basis", "Acting as", "Signature"],
        rows,
        "No parties yet.",
    )


def _warnings(version: VersionView) -> str:
    """What no gateway in the protocol can support, for those about to sign it."""
    if version.status not in (VersionStatus.DRAFT, VersionStatus.AWAITING_SIGNATURES):
        return ""
    if not version.warnings:
        return (
            "<h2>Before you sign</h2><p>The hub found nothing the parties, purposes and "
            "data above ask for that the gateways named cannot support.</p>"
        )
    items = "".join(f"<li>{_e(w)}</li>" for w in version.warnings)
    return (
        "<h2>Before you sign: what this protocol cannot support</h2>"
        "<p>The hub asked its lawful-basis rules about every pair of parties, purpose and "
        f"category of data in this version. It found:</p><ul>{items}</ul>"
    )


def _in_force(version: VersionView) -> str:
    if version.status is VersionStatus.NOT_YET_STARTED:
        return (
            f"Signed by every party on {_day(version.effective_from)}; comes into force on "
            f"{_day(version.in_force_from)}."
        )
    if version.in_force_from is None and version.starts_on is not None:
        return f"Comes into force once every party has signed, and not before {_day(version.starts_on)}."
    return f"In force from {_day(version.in_force_from)}."


def _purposes(version: VersionView, gateway_names: Mapping[str, str]) -> str:
    if not version.purposes:
        return "<p><em>No purposes yet.</em></p>"
    parts = []
    for section in version.purposes:
        gateways = "".join(
            f"<li>{_e(gateway_names.get(code, code))} <code>{_e(code)}</code></li>"
            for code in section.gateways
        )
        rows = [
            [
                _e(CATEGORY_LABELS[c.category]),
                _e(ARTICLE6_LABELS[c.article6]),
                _e(SCHEDULE1_LABELS[c.schedule1]) if c.schedule1 else "not needed",
                _e(f"{c.retention_days} days"),
            ]
            for c in section.categories
        ]
        parts.append(
            f"<h3>{_e(PURPOSE_LABELS[section.purpose])} <code>{_e(section.purpose.value)}</code>"
            f"</h3><p>Legal gateways relied on:</p><ul>{gateways}</ul>"
            + _table(
                ["Data category", "UK GDPR, Article 6 basis", "Schedule 1 condition", "Retention"],
                rows,
                "No data categories.",
            )
        )
    return "".join(parts)


def _signatories(version: VersionView) -> str:
    rows = [
        [_e(s.agency_name), _e(s.signatory_name), _e(s.job_title), _e(_when(s.signed_at))]
        for s in version.signatures
    ]
    return _table(["For", "Signed by", "Post", "Signed"], rows, "Nobody has signed yet.")


def _history(protocol: ProtocolView) -> str:
    rows = [
        [
            _e(v.number),
            _e(v.title),
            _e(_status(v.status)),
            _e(_day(v.in_force_from)),
            _e(_day(v.ended_on)),
            _e(v.end_reason or ""),
        ]
        for v in protocol.history
    ]
    return _table(["Version", "Title", "Status", "In force from", "Ended", "Why"], rows, "")


def render_html(
    protocol: ProtocolView,
    version: VersionView,
    *,
    gateway_names: Mapping[str, str],
    exported_at: datetime,
) -> str:
    """The whole document for one version of a protocol."""
    review = (
        f"<p>Review by {_e(_day(version.review_date))}. After that the protocol is flagged "
        f"for review; it stops authorising sharing after {_e(_day(version.expires_on))} "
        f"({_e(version.review_grace_days)} days' grace) unless a reviewed version is signed."
        "</p>"
    )
    suspension = (
        f"<p><strong>Suspended on {_e(_day(version.suspended_on))}:</strong> "
        f"{_e(version.suspension_reason)}</p>"
        if version.suspended_on
        else ""
    )
    ended = (
        f"<p><strong>Ended on {_e(_day(version.ended_on))}:</strong> {_e(version.end_reason)}</p>"
        if version.ended_on
        else ""
    )
    digest = (
        f"<p>Content signed (SHA-256): <code>{_e(version.content_digest)}</code></p>"
        if version.content_digest
        else ""
    )
    sections = [
        ("1. Parties and their roles", _parties(version)),
        (
            "2. Purposes, the data shared for each and its legal basis",
            _purposes(version, gateway_names),
        ),
        ("3. Security", _paragraphs(version.security, "No security rules recorded.")),
        (
            "4. Onward sharing",
            _paragraphs(version.onward_sharing, "No onward sharing rules recorded."),
        ),
        (
            "5. Data protection impact assessment",
            f"<p>{_e(version.dpia_reference or 'No DPIA reference recorded.')}</p>",
        ),
        ("6. Review", review),
        ("7. Signatories", _signatories(version) + digest),
        ("Version history", _history(protocol)),
    ]
    return (
        '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{MARKING}: {_e(version.title)} (version {_e(version.number)})</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<p class="marking">{MARKING}</p>'
        f"<h1>{_e(version.title)}</h1>"
        f"<p>Information sharing protocol <code>{_e(protocol.id)}</code>, "
        f"version {_e(version.number)}: <strong>{_e(_status(version.status))}</strong>. "
        f"{_e(_in_force(version))}</p>"
        f"{suspension}{ended}{_warnings(version)}"
        + "".join(f"<h2>{_e(heading)}</h2>{content}" for heading, content in sections)
        + f"<p>Exported from sharehub on {_e(_when(exported_at))}.</p>"
        + f'<p class="marking">{MARKING}</p></body></html>\n'
    )
