"""Plain-English words for the hub's codes, as a person reads them on a page.

A page never shows a code ("hate_incident", "information_governance_lead"):
it shows the label here, translated into the request's language. The tables
are data, one per kind of code; ``N_`` marks each label for the message
catalogue, and ``label()`` translates it when the page is drawn.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sharehub.i18n import day_month_year, day_short_month_year

LONDON = ZoneInfo("Europe/London")


def N_(message: str) -> str:
    return message


LABELS: dict[str, dict[str, str]] = {
    "role": {
        "hub_administrator": N_("Hub administrator"),
        "agency_administrator": N_("Agency administrator"),
        "practitioner": N_("Practitioner"),
        "idva": N_("Independent domestic violence adviser (IDVA)"),
        "marac_coordinator": N_("MARAC coordinator"),
        "marac_chair": N_("MARAC chair"),
        "mappa_coordinator": N_("MAPPA coordinator"),
        "mappa_chair": N_("MAPPA chair"),
        "asb_case_review_coordinator": N_("ASB case review coordinator"),
        "asb_case_review_panel_member": N_("ASB case review panel member"),
        "safeguarding_lead": N_("Safeguarding lead"),
        "data_protection_officer": N_("Data protection officer"),
        "information_governance_lead": N_("Information governance lead"),
        "observer": N_("Observer"),
    },
    "asb_status": {
        "open": N_("Open"),
        "assessed": N_("Assessed"),
        "closed": N_("Closed"),
    },
    "channel": {
        "phone": N_("Phone"),
        "email": N_("Email"),
        "letter": N_("Letter"),
        "in_person": N_("In person"),
        "online": N_("Online form"),
        "other_agency": N_("Referred by another agency"),
    },
    "asb_category": {
        "personal": N_("Personal"),
        "nuisance": N_("Nuisance"),
        "environmental": N_("Environmental"),
        "hate_incident": N_("Hate incident"),
    },
    "motivation": {
        "race": N_("Race"),
        "religion": N_("Religion or belief"),
        "disability": N_("Disability"),
        "sexual_orientation": N_("Sexual orientation"),
        "transgender_identity": N_("Transgender identity"),
        "other": N_("Other"),
    },
    "harm_level": {
        "urgent": N_("Urgent"),
        "high": N_("High"),
        "low": N_("Low"),
    },
    "close_reason": {
        "behaviour_improved": N_("The behaviour has improved"),
        "no_further_reasonable_action": N_("No further reasonable action can be taken"),
        "complainant_request": N_("The complainant asked for it to be closed"),
        "insufficient_evidence": N_("There is not enough evidence to take it further"),
        "legal_action_concluded": N_("Legal action has concluded"),
        "perpetrator_moved": N_("The alleged perpetrator has moved away"),
        "complainant_moved": N_("The complainant has moved away"),
        "not_asb": N_("Not dealt with as ASB: the complainant was signposted"),
        "domestic_abuse": N_("Domestic abuse: the MARAC referral route"),
    },
    "triage_outcome": {
        "asb": N_("Dealt with as anti-social behaviour"),
        "not_asb": N_("Not dealt with as ASB"),
        "domestic_abuse": N_("Domestic abuse"),
    },
    "reopening_condition": {
        "persistent": N_("The incidents are repeated and persistent"),
        "deliberate": N_("The behaviour is deliberate"),
        "harmful": N_("It is causing harm to the complainant or others"),
    },
    "risk_answer": {
        "yes": N_("Yes"),
        "no": N_("No"),
        "not_known": N_("Not known"),
    },
    "evidence_status": {
        "asked": N_("Waiting for an answer"),
        "answered": N_("Answered"),
        "declined": N_("Declined"),
        "shared": N_("Shared with them"),
    },
    "satisfaction": {
        "very_satisfied": N_("Very satisfied"),
        "fairly_satisfied": N_("Fairly satisfied"),
        "neither": N_("Neither satisfied nor dissatisfied"),
        "fairly_dissatisfied": N_("Fairly dissatisfied"),
        "very_dissatisfied": N_("Very dissatisfied"),
        "declined": N_("They did not want to answer"),
    },
    "asb_step": {
        "triage": N_("Triage the report"),
        "record_satisfaction": N_("Record their satisfaction"),
        "report_to_police": N_("Record a report to the police"),
        "assess": N_("Record the harm assessment"),
        "respond": N_("Record the first response"),
        "close": N_("Close the report"),
        "reopen": N_("Reopen the report"),
        "refer_to_marac": N_("Refer the victim to MARAC"),
    },
    "subject_role": {
        "complainant": N_("Complainant"),
        "victim": N_("Victim"),
        "witness": N_("Witness"),
        "child": N_("Child"),
        "household_member": N_("Household member"),
        "applicant": N_("Applicant"),
        "representative": N_("Representative"),
        "perpetrator": N_("Alleged perpetrator"),
        "offender": N_("Offender"),
        "other": N_("Other"),
    },
    "purpose": {
        "asb_case_management": N_("Managing ASB cases"),
        "marac": N_("MARAC (domestic abuse risk conferences)"),
        "mappa": N_("MAPPA (managing offenders)"),
        "asb_case_review": N_("ASB case reviews"),
        "crime_prevention": N_("Preventing crime and disorder"),
        "safeguarding": N_("Safeguarding"),
    },
    "data_category": {
        "identity": N_("Who they are (name, date of birth, identifiers)"),
        "contact_details": N_("Contact details (address, phone, email)"),
        "asb_incident_details": N_("Details of incidents"),
        "risk_assessment": N_("Risk assessments"),
        "criminal_offence_data": N_("Offences and convictions"),
        "special_category_health": N_("Health"),
        "special_category_other": N_("Other special category data"),
        "racial_or_ethnic_origin": N_("Racial or ethnic origin"),
        "religious_or_philosophical_beliefs": N_("Religious or philosophical beliefs"),
        "sex_life_or_sexual_orientation": N_("Sex life or sexual orientation"),
        "political_opinions": N_("Political opinions"),
        "trade_union_membership": N_("Trade union membership"),
        "genetic_or_biometric": N_("Genetic or biometric data"),
        "financial": N_("Financial information"),
        "housing_tenancy": N_("Housing and tenancy"),
        "education": N_("Education"),
        "social_care": N_("Social care"),
    },
    "article6": {
        "a_consent": N_("Consent"),
        "b_contract": N_("Contract"),
        "c_legal_obligation": N_("Legal obligation"),
        "d_vital_interests": N_("Vital interests"),
        "e_public_task": N_("Public task"),
        "f_legitimate_interests": N_("Legitimate interests"),
    },
    "check_outcome": {
        "permitted": N_("You may share it"),
        "refused": N_("Do not share it"),
        "needs_review": N_("A person must decide"),
    },
    "asserted_fact": {
        "risk_of_serious_harm": N_("There is a risk of serious harm to someone"),
        "consent_cannot_be_given": N_("The person cannot give consent"),
        "consent_cannot_reasonably_be_obtained": N_("Consent cannot reasonably be obtained"),
        "seeking_consent_would_prejudice": N_(
            "Asking for consent would put the protection at risk"
        ),
        "necessary_to_prevent_or_detect_crime": N_("It is necessary to prevent or detect crime"),
        "only_what_is_necessary": N_("Only what is necessary will be shared"),
        "appropriate_policy_document_in_place": N_(
            "Your agency has an appropriate policy document in place"
        ),
    },
    "schedule1": {
        "para_6_statutory_and_government_purposes": N_(
            "Statutory and government purposes (Data Protection Act 2018, Schedule 1, paragraph 6)"
        ),
        "para_10_preventing_or_detecting_unlawful_acts": N_(
            "Preventing or detecting unlawful acts (Data Protection Act 2018, Schedule 1, "
            "paragraph 10)"
        ),
        "para_18_safeguarding_of_children_and_individuals_at_risk": N_(
            "Safeguarding of children and individuals at risk (Data Protection Act 2018, "
            "Schedule 1, paragraph 18)"
        ),
        "art_9_2_a_explicit_consent": N_("Explicit consent (UK GDPR, Article 9(2)(a))"),
    },
    "party_role": {
        "controller": N_("Controller"),
        "joint_controller": N_("Joint controller"),
        "processor": N_("Processor"),
    },
    "yes_no": {
        "yes": N_("Yes"),
        "no": N_("No"),
    },
    "asked_consent": {
        "given": N_("They have consented to sharing with this agency for this purpose"),
        "refused": N_("They refused consent"),
        "withdrawn": N_("They withdrew consent"),
        "expired": N_("Their consent has expired"),
        "not_sought": N_("Consent has not been asked for"),
    },
    "consent_method": {
        "written": N_("In writing"),
        "verbal": N_("Spoken (verbal)"),
        "online": N_("Online"),
        "representative": N_("By a representative"),
    },
    "consent_status": {
        "active": N_("Active"),
        "withdrawn": N_("Withdrawn"),
        "expired": N_("Expired"),
        "not_yet_given": N_("Not yet in force"),
    },
    "consent_state": {
        "given": N_("Consent given"),
        "refused": N_("Consent refused"),
        "withdrawn": N_("Consent withdrawn"),
        "expired": N_("Consent expired"),
        "not_sought": N_("No consent on record"),
    },
    "subject_kind": {
        "person": N_("Person"),
        "household": N_("Household"),
        "business": N_("Business"),
        "group": N_("Group"),
    },
    "meeting_type": {
        "marac": N_("MARAC"),
        "mappa_level_2": N_("MAPPA level 2 meeting"),
        "mappa_level_3": N_("MAPPA level 3 meeting"),
        "asb_case_review_panel": N_("ASB case review panel"),
        "asb_case_conference": N_("ASB case conference"),
    },
    "override_status": {
        "active": N_("In force"),
        "expired": N_("Expired"),
        "revoked": N_("Revoked"),
        "awaiting_review": N_("Awaiting review"),
        "upheld": N_("Upheld"),
        "not_upheld": N_("Not upheld"),
    },
    "review_outcome": {
        "justified": N_("Justified"),
        "not_justified": N_("Not justified"),
    },
    # Why a partner agency would see, or not see, a category of identity data
    # (privacy/partners.py REASONS).
    "share_reason": {
        "consent": N_("The person's consent on record covers this agency and purpose."),
        "sharing_decision": N_("A sharing decision your agency recorded covers this agency."),
        "protocol": N_("The protocol allows it, and their role does not protect their identity."),
        "no_consent": N_(
            "Their role protects their identity, and no consent or sharing decision on record "
            "covers this agency."
        ),
        "consent_does_not_cover": N_(
            "Their role protects their identity, and the consent on record does not cover this "
            "agency, purpose or information."
        ),
        "consent_withdrawn": N_(
            "Their role protects their identity, and their consent was withdrawn or has expired."
        ),
        "not_in_protocol": N_("The protocol does not allow this information for this purpose."),
        "law_does_not_apply": N_("The legal basis the protocol relies on does not apply."),
        "needs_review": N_(
            "The law the protocol relies on is unsettled for this agency: someone must confirm "
            "it before it is shared."
        ),
        "identity_first": N_("Contact details are never shown without who the person is."),
        "no_gateway": N_("No legal gateway the protocol relies on applies to this agency."),
        "no_protocol": N_("No information sharing protocol in force covers this purpose."),
        "nothing_recorded": N_("Nothing of this kind is recorded."),
    },
    "marac_status": {
        "submitted": N_("Waiting for screening"),
        "accepted": N_("Accepted"),
        "returned": N_("Returned to the referrer"),
        "listed": N_("Listed for a meeting"),
        "heard": N_("Heard"),
        "actions_open": N_("Actions open"),
        "closed": N_("Closed"),
    },
    "risk_band": {
        "high": N_("High risk"),
        "medium": N_("Medium risk"),
        "standard": N_("Standard risk"),
    },
    "marac_criterion": {
        "visible_high_risk": N_("Visible high risk"),
        "professional_judgement": N_("Professional judgement"),
        "potential_escalation": N_("Potential escalation"),
        "repeat": N_("Repeat referral"),
    },
    "marac_close_reason": {
        "actions_complete": N_("The actions agreed are complete"),
        "no_actions_agreed": N_("The meeting agreed no actions"),
        "transferred_to_another_area": N_("Transferred to another area's MARAC"),
    },
    "dash_answer": {"yes": N_("Yes"), "no": N_("No"), "not_known": N_("Not known")},
    "household_role": {"child": N_("Child"), "household_member": N_("Member of the household")},
    "mappa_status": {
        "submitted": N_("Waiting for screening"),
        "returned": N_("Returned to the referrer"),
        "accepted": N_("Accepted: level to be agreed"),
        "managed": N_("Managed at an agreed level"),
        "closed": N_("Closed"),
    },
    # The arrangements file names each category; these are what people call them.
    "mappa_category": {
        "1": N_("Category 1"),
        "2": N_("Category 2"),
        "3": N_("Category 3"),
        "4": N_("Category 4"),
    },
    "mappa_level": {
        "1": N_("Level 1"),
        "2": N_("Level 2"),
        "3": N_("Level 3"),
    },
    "mappa_level_outcome": {
        "agreed": N_("Level agreed"),
        "confirmed": N_("Level confirmed at review"),
        "changed": N_("Level changed at review"),
    },
    "mappa_close_reason": {
        "no_longer_meets_criteria": N_("No longer meets the MAPPA criteria"),
        "registration_ended": N_("The notification (registration) period has ended"),
        "died": N_("The offender has died"),
        "transferred": N_("Transferred to another MAPPA area"),
    },
    "mappa_at_risk_role": {
        "victim": N_("Victim or potential victim"),
        "child": N_("Child"),
        "household_member": N_("Member of the household, or someone else at risk"),
        "witness": N_("Witness"),
    },
    "case_review_status": {
        "threshold_met": N_("Threshold met: a review will be held"),
        "awaiting_discretion": N_("Waiting for the threshold decision"),
        "accepted": N_("Accepted for a review"),
        "declined": N_("No review: threshold not met"),
        "information_requested": N_("Information asked for"),
        "review_held": N_("Review meeting held"),
        "outcome_recorded": N_("Outcome recorded"),
        "escalated": N_("Applicant dissatisfied: escalated"),
        "closed": N_("Closed"),
    },
    "case_review_decision": {
        "threshold_met": N_("The threshold is met: a review will be held"),
        "accepted": N_("Accepted for a review by the coordinator"),
        "declined": N_("Declined by the coordinator: no review"),
    },
    "case_review_clock": {
        "acknowledge": N_("Acknowledge the application"),
        "threshold_decision": N_("Decide on the threshold"),
        "review_meeting": N_("Hold the review meeting"),
    },
    "case_review_body_role": {
        "relevant_body": N_("A relevant body for the case review"),
        "co_opted": N_("Co-opted to the case review (a housing provider)"),
        "none": N_("Neither a relevant body nor co-opted"),
    },
    "case_review_applicant": {
        "victim": N_("The victim"),
        "representative": N_("Someone on the victim's behalf"),
    },
    "case_review_victim_type": {
        "individual": N_("A person"),
        "business": N_("A business"),
        "group": N_("A community group"),
    },
    "case_review_finding": {
        "supports_review": N_("Supports a review"),
        "does_not_support_review": N_("Does not support a review"),
    },
    "case_review_factor": {
        "persistence": N_("Persistence of the behaviour"),
        "harm": N_("Harm, or the potential for harm"),
        "adequacy_of_response": N_("Adequacy of the response"),
    },
    "mappa_identifier": {
        "visor_ref": N_("ViSOR reference"),
        "pnc_id": N_("PNC ID"),
        "crn": N_("nDelius case reference number (CRN)"),
    },
    "meeting_status": {
        "scheduled": N_("Scheduled"),
        "held": N_("Held"),
        "cancelled": N_("Cancelled"),
    },
    "agenda_reason": {
        "listed": N_("Listed for this meeting"),
        "new_referral": N_("New referral"),
        "review_due": N_("Review due"),
        "action_open": N_("Action still open"),
        "action_overdue": N_("Action overdue"),
    },
    "agenda_source": {
        "marac_referral": N_("MARAC referral"),
        "mappa_referral": N_("MAPPA referral"),
        "case_review": N_("ASB case review"),
        "action": N_("Action from an earlier meeting"),
    },
    # Meetings during and after (meetings/minutes_pages.py, action_pages.py).
    "meeting_risk": {
        "children_in_household": N_("Children in the household"),
        "pregnancy_or_new_baby": N_("Pregnancy or a baby under 18 months"),
        "recent_separation": N_("Separation, or attempted separation, in the past year"),
        "escalation": N_("Abuse more frequent or getting worse"),
        "threats_to_kill": N_("Threats to kill"),
        "strangulation": N_("Strangulation, choking, suffocation or drowning"),
        "weapons": N_("Use of weapons or objects to hurt"),
        "stalking_or_harassment": N_("Stalking or harassment"),
        "sexual_abuse": N_("Sexual abuse"),
        "coercive_control": N_("Controlling or coercive behaviour"),
        "substance_misuse": N_("Drug or alcohol misuse"),
        "mental_health": N_("Mental health needs"),
        "suicide_risk": N_("Threatened or attempted suicide"),
        "financial_abuse": N_("Financial abuse or hardship"),
        "breach_of_orders": N_("Breach of bail, injunction or other order"),
        "criminal_history": N_("Criminal history"),
        "isolation": N_("Isolation from family or friends"),
        "honour_based_abuse": N_("So-called honour-based abuse"),
        "vulnerable_adult": N_("Care and support needs"),
        "housing_insecurity": N_("Housing insecurity or homelessness"),
    },
    "meeting_action_status": {
        "open": N_("Open"),
        "in_progress": N_("In progress"),
        "done": N_("Done"),
        "cancelled": N_("Cancelled"),
    },
    "minutes_status": {
        "draft": N_("Draft"),
        "approved": N_("Approved and locked"),
    },
    "onward_sharing_state": {
        "requested": N_("Waiting for agreement"),
        "agreed": N_("Shared"),
        "refused": N_("Refused"),
    },
    "onward_sharing_answer": {
        "agreed": N_("Agreed"),
        "refused": N_("Refused"),
        "awaiting": N_("Not answered yet"),
    },
    "onward_sharing_agreement": {
        "chair": N_("The meeting's chair agrees"),
        "information_owners": N_("Every agency whose information the minutes hold agrees"),
    },
    "meeting_case_text": {
        "summary": N_("Summary"),
        "application": N_("The application"),
        "action": N_("The action"),
    },
}


def label(kind: str, code: object) -> str:
    """The translated label of a code; an unknown code shows as "Other", never raw."""
    from sharehub.web.templating import _

    if code is None:
        return ""
    value = getattr(code, "value", code)
    text = LABELS.get(kind, {}).get(str(value))
    return _(text) if text else _("Other")


def options(
    kind: str, selected: object = None, only: list[str] | None = None
) -> list[dict[str, object]]:
    """GOV.UK radios/checkboxes/select items for a kind of code."""
    from sharehub.web.templating import _

    chosen = (
        {str(getattr(s, "value", s)) for s in selected}
        if isinstance(selected, list | set | tuple)
        else {str(getattr(selected, "value", selected))}
    )
    return [
        {"value": code, "text": _(text), "checked": code in chosen, "selected": code in chosen}
        for code, text in LABELS[kind].items()
        if only is None or code in only
    ]


def select_items(
    kind: str, selected: object = None, only: list[str] | None = None, blank: str | None = None
) -> list[dict[str, object]]:
    """GOV.UK select items, optionally led by a blank "Choose..." item."""
    from sharehub.web.templating import _

    items = [
        {"value": o["value"], "text": o["text"], "selected": o["selected"]}
        for o in options(kind, selected, only)
    ]
    return ([{"value": "", "text": _(blank)}] if blank else []) + items


def _local(value: datetime) -> datetime:
    return value.astimezone(LONDON) if value.tzinfo else value


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return day_month_year(value)


def short_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return day_short_month_year(value)


def long_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = _local(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    clock = f"{hour}{suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d}{suffix}"
    from sharehub.i18n import _

    return _("{day} at {time}").format(day=long_date(local), time=clock)


def harm_choice(target: dict[str, object], chosen: object) -> dict[str, object]:
    """A harm level as a radio, its hint the target it sets and the date due."""
    from sharehub.web.templating import _

    due = target["due"]
    return {
        "value": target["level"],
        "text": label("harm_level", target["level"]),
        "checked": chosen == target["level"],
        "hint": {
            "text": _("First response {within}: due {when}").format(
                within=target["within"],
                when=long_datetime(due),  # type: ignore[arg-type]
            )
        },
    }


def sentence(text: object) -> str:
    """An explanation as a sentence on a page: its first letter a capital (the
    engine writes clauses, "no consent in force is recorded", to be joined)."""
    words = str(text or "")
    return words[:1].upper() + words[1:]


def extract(key: object, table: dict[object, object]) -> object:
    """A code's words from a table the page was given (``codes | map("extract", words)``)."""
    return table.get(key, "")


def radio_item(pair: tuple[str, str], chosen: object) -> dict[str, object]:
    """A (value, words) pair as a GOV.UK radio, checked if chosen."""
    value, text = pair
    return {"value": value, "text": text, "checked": value == chosen}


def select_item(pair: tuple[str, str], chosen: object) -> dict[str, object]:
    value, text = pair
    return {"value": value, "text": text, "selected": value == chosen}


def file_size(size: int) -> str:
    """A file's size as people read it: 850 KB, 2.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1_048_576:.1f} MB"


def report_link(reference: str) -> object:
    """An ASB report's reference as a link to it (references are letters, digits and hyphens)."""
    from markupsafe import Markup, escape

    return Markup('<a class="govuk-link" href="/asb-reports/{0}">{0}</a>').format(escape(reference))
