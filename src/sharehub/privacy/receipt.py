"""A consent receipt the subject can be given, printed or kept.

Fields follow the Kantara Initiative Consent Receipt Specification v1.1 (the
basis of ISO/IEC 27560): receipt id and timestamp, jurisdiction, the
controller and its contact, the person, collection method, purposes, data
categories, who it is shared with, expiry, and how to withdraw. Every value is
escaped; the page needs nothing from outside.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.agencies.models import Agency
from sharehub.disclosure.context import GateContext
from sharehub.i18n import _, current_language, day_month_year
from sharehub.identity.principal import Principal
from sharehub.privacy.schemas import ConsentView
from sharehub.protocols.document import (
    CATEGORY_LABELS,
    CONTENT_SECURITY_POLICY,
    PURPOSE_LABELS,
    STYLE,
)


def N_(message: str) -> str:  # marked for the catalogue, translated where shown
    return message


__all__ = ["CONTENT_SECURITY_POLICY", "consent_receipt", "render_receipt"]

# It names a person: OFFICIAL-SENSITIVE under the Government Security Classifications.
MARKING = "OFFICIAL-SENSITIVE"
SPECIFICATION = "Kantara Consent Receipt v1.1 (ISO/IEC 27560)"
STATUS_LABELS = {
    "active": N_("Active"),
    "withdrawn": N_("Withdrawn"),
    "expired": N_("Expired"),
    "not_yet_given": N_("Not yet in force"),
}
JURISDICTION = N_("England and Wales: UK GDPR and the Data Protection Act 2018")
METHOD_LABELS = {
    "written": N_("In writing"),
    "verbal": N_("Verbally, recorded by the member of staff"),
    "online": N_("Online"),
    "representative": N_("By a representative on the person's behalf"),
}


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _when(value: datetime | None) -> str:
    return f"{day_month_year(value)} {value:%H:%M} UTC" if value else _("No expiry date")


def render_receipt(
    consent: ConsentView,
    *,
    person: str,
    controller: str,
    controller_contact: str,
    agency_names: Mapping[str, str],
    protocol_titles: Mapping[str, str],
    issued_at: datetime,
    receipt_id: str | None = None,
) -> str:
    """The receipt's page. ``receipt_id`` is what the person quotes back (the
    consent's id unless a human reference is given)."""
    receipt_id = receipt_id or str(consent.id)
    recipients = [agency_names.get(str(a), str(a)) for a in consent.recipients.agencies]
    recipients += [
        _("Every agency that is party to “{title}”").format(
            title=protocol_titles.get(str(p), str(p))
        )
        for p in consent.recipients.protocols
    ]
    rows = [
        (_("Receipt"), receipt_id),
        (_("Specification"), SPECIFICATION),
        (_("Jurisdiction"), _(JURISDICTION)),
        (_("Consent given"), _when(consent.given_at)),
        (_("How it was given"), _(METHOD_LABELS[consent.how_given])),
        (_("Person"), person),
        (_("Organisation holding the information (controller)"), controller),
        (_("Contact about this consent"), controller_contact),
        (_("Purposes"), "; ".join(_(PURPOSE_LABELS[p]) for p in consent.purposes)),
        (_("Information covered"), "; ".join(_(CATEGORY_LABELS[c]) for c in consent.categories)),
        (_("Shared with"), "; ".join(recipients)),
        (_("Expires"), _when(consent.expires_at)),
        (_("Status"), _(STATUS_LABELS[consent.status])),
    ]
    if consent.representative:
        rep = consent.representative
        rows.insert(5, (_("Given by"), f"{rep.name} ({rep.relationship}; {rep.authority})"))
    if consent.withdrawal:
        rows.append((_("Withdrawn"), _when(consent.withdrawal.withdrawn_at)))
    table = "".join(f'<tr><th scope="row">{_e(k)}</th><td>{_e(v)}</td></tr>' for k, v in rows)
    withdraw = _(
        "You can withdraw this consent at any time by telling {controller}. It stops "
        "further sharing from the moment it is recorded; information already shared under "
        "it is not recalled. Withdrawing does not affect any service you receive."
    ).format(controller=_e(controller))
    return (
        f'<!doctype html><html lang="{_e(current_language())}"><head><meta charset="utf-8">'
        f"<title>{_e(_('Consent receipt'))} {_e(receipt_id)}</title><style>{STYLE}</style>"
        "</head><body>"
        f'<p class="marking">{MARKING}</p>'
        f"<h1>{_e(_('Your consent to share information'))}</h1>"
        f"<table><tbody>{table}</tbody></table>"
        f"<h2>{_e(_('Changing your mind'))}</h2>"
        f"<p>{withdraw}</p>"
        "<p>"
        + _e(
            _(
                "Your information may still be shared without consent where the law allows, "
                "for example to protect someone from serious harm; you would normally be told."
            )
        )
        + "</p>"
        f"<p><small>{_e(_('Issued {when}.').format(when=_when(issued_at)))}</small></p>"
        f'<p class="marking">{MARKING}</p></body></html>'
    )


async def consent_receipt(
    db: AsyncSession,
    actor: Principal,
    gate: GateContext,
    subject_id: uuid.UUID,
    consent_id: uuid.UUID,
    receipt_id: str | None = None,
) -> str:
    """The printable receipt of one of the holding agency's consents (404 for
    any other agency): what the API serves and the person's page links to."""
    from sharehub.privacy import consent as consents
    from sharehub.privacy import subjects
    from sharehub.privacy.identity import unseal

    consent, withdrawal = await consents.get_consent(db, actor, subject_id, consent_id)
    subject = await subjects.held_subject(db, actor, subject_id)
    view = consents.to_view(consent, withdrawal, gate, actor.agency_id)
    holder = await db.get(Agency, subject.holding_agency_id)
    assert holder is not None  # a foreign key
    names, titles = await consents.recipient_names(db, view.recipients)
    person = subjects.holding_view(subject, unseal(subject, gate.cipher), actor.agency_id).person
    return render_receipt(
        view,
        person=person.name or "",
        controller=holder.name,
        controller_contact=f"{holder.ig_contact_name}, {holder.ig_contact_email}",
        agency_names=names,
        protocol_titles=titles,
        issued_at=gate.now,
        receipt_id=receipt_id,
    )
