"""The letter to the applicant of an ASB case review, in plain English: after the
threshold decision (a review will be held, or will not, and why) and after the
outcome (what the review found, each recommendation and the body it is made to).
Both say how to ask for the decision to be looked at again (the route the
area's procedure names: Anti-social Behaviour, Crime and Policing Act 2014,
Schedule 4, paragraph 3).

Plain functions over the view the disclosure gate built for the reader
(``views.view_of``): every word of a person's comes from its ``GatedText`` and
``PersonView``, so the coordinator of an agency other than the receiving one
gets the letter the gate lets them see (no address, names replaced by labels)
and is told what is missing. Nothing here opens a sealed field, and the
letter holds no ids or codes: agencies by name, dates in words.

``render_pdf`` prints the same letter with fpdf2 and the DejaVu fonts of the
meeting packs: title, language, author and an outline of its headings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from fpdf import FPDF

from sharehub.i18n import _, current_language, day_month_year, ngettext
from sharehub.privacy.redaction import PersonView
from sharehub.referrals.case_review.rules import ACT
from sharehub.referrals.case_review.schemas import CaseReviewView, ComplaintView
from sharehub.referrals.criteria import CaseReviewParameters, Complaint, why_not_qualifying

LetterKind = Literal["decision", "outcome"]
# The meeting packs' fonts (DejaVu, with its licence beside them).
FONTS = Path(__file__).resolve().parents[2] / "meetings" / "fonts"


def N_(message: str) -> str:  # marked for the catalogue, translated where used
    return message


# The matters of a discretionary decision (section 104(5)), for a member of the public.
FACTOR_WORDS = {
    "persistence": N_("How long the anti-social behaviour has gone on, and how often"),
    "harm": N_("The harm it has caused, or could cause"),
    "adequacy_of_response": N_("Whether the agencies did enough about it"),
}
NAMES = {
    "decision": N_("decision letter"),
    "outcome": N_("outcome letter"),
}


@dataclass(frozen=True)
class Block:
    """A paragraph, a bulleted list, or a contact set apart (the escalation route)."""

    kind: Literal["paragraph", "list", "contact"]
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Letter:
    kind: LetterKind
    reference: str
    title: str
    dated: date
    # Recorded as told on this date (the letter is dated then), or not yet.
    told_on: date | None
    # Only what the gate shows this reader: the name, then the address lines.
    addressee: tuple[str, ...]
    salutation: str
    sections: tuple[Section, ...]
    signature: tuple[str, ...]  # the sender's name, post and agency
    # What the letter lacks for this reader, for the coordinator (never printed).
    gaps: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.reference}-{self.kind}-letter.pdf"

    def paragraphs(self) -> list[str]:
        """Every line of its sections, in order (for reading and tests)."""
        return [line for s in self.sections for b in s.blocks for line in b.lines]


@dataclass(frozen=True)
class Context:
    """What the letter needs besides the view: none of it personal."""

    agencies: Mapping[uuid.UUID, str]  # agency names
    # Where a dissatisfied applicant goes, as the area records it; None while
    # the area still has the hub's default (the letter then names the office
    # in general words, and the coordinator is told).
    escalation_route: str | None
    parameters: CaseReviewParameters  # the threshold the application was decided on
    sender: str  # the coordinator's name
    sender_agency: str
    reader_agency_id: uuid.UUID
    today: date


# --- which letter ----------------------------------------------------------------------------


def letters_open(view: CaseReviewView) -> list[LetterKind]:
    """The letters the review has reached: the threshold decision's once it is
    decided, the outcome's once the outcome is recorded."""
    found: list[LetterKind] = []
    if view.decision is not None:
        found.append("decision")
    if view.outcome_recorded_on is not None:
        found.append("outcome")
    return found


def latest(view: CaseReviewView) -> LetterKind | None:
    found = letters_open(view)
    return found[-1] if found else None


@dataclass(frozen=True)
class Choice:
    """A letter the coordinator may switch to, for the page."""

    kind: LetterKind
    name: str
    chosen: bool = False


def choices(view: CaseReviewView, chosen: LetterKind | None) -> list[Choice]:
    return [Choice(k, _(NAMES[k]), k == chosen) for k in letters_open(view)]


def not_yet() -> str:
    """Why there is no letter (to the coordinator)."""
    return _(
        "There is no letter to send yet: the decision on whether to hold a review "
        "has not been made."
    )


# --- pieces ----------------------------------------------------------------------------------


def when(value: date) -> str:
    """A date in words: "4 December 2026"."""
    return day_month_year(value)


def _months(n: int) -> str:
    return ngettext("%(num)d month", "%(num)d months", n)


def _text_lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _paragraphs(text: str | None) -> list[Block]:
    return [Block("paragraph", (line,)) for line in _text_lines(text)]


def _p(text: str) -> Block:
    return Block("paragraph", (text,))


def _person_lines(person: PersonView | None) -> list[str]:
    if person is None:
        return []
    lines = [str(line) for line in person.address or [] if line]
    if person.postcode:
        lines.append(str(person.postcode))
    return lines


def _applicant(view: CaseReviewView) -> tuple[str | None, PersonView | None, bool]:
    """(the applicant's name as the gate shows it, their person, a person at all)."""
    if view.applicant_type == "representative":
        name = view.representative.name if view.representative else None
        return (str(name) if name else None), view.representative_person, True
    if view.victim is not None:
        return (str(view.victim.name) if view.victim.name else None), view.victim, True
    return (str(view.victim_name) if view.victim_name else None), None, False


def _victim_name(view: CaseReviewView) -> str | None:
    if view.victim is not None and view.victim.name:
        return str(view.victim.name)
    return str(view.victim_name) if view.victim_name else None


def _agency(context: Context, agency_id: uuid.UUID) -> str:
    return context.agencies.get(agency_id) or _("a partner agency")


def _listed(names: Iterable[str]) -> str:
    items = list(dict.fromkeys(names))
    if len(items) < 2:
        return "".join(items)
    return _("{first} and {last}").format(first=", ".join(items[:-1]), last=items[-1])


def _withheld(view: CaseReviewView, context: Context) -> str:
    if context.reader_agency_id == view.receiving_agency_id:
        return _("it is not recorded")
    return _(
        "{agency} received the application and holds it; the hub does not show it to you"
    ).format(agency=_agency(context, view.receiving_agency_id))


def addressee(view: CaseReviewView, context: Context) -> tuple[tuple[str, ...], str, list[str]]:
    """(the name and address lines, the salutation, what is missing)."""
    name, person, is_person = _applicant(view)
    lines = _person_lines(person)
    gaps = []
    why = _withheld(view, context)
    if name is None:
        gaps.append(_("The applicant's name: {why}.").format(why=why))
    if not lines:
        gaps.append(
            _("The applicant's address: {why}. Add it by hand before you send the letter.").format(
                why=why
            )
        )
    salutation = (
        _("Dear {name}").format(name=name) if name and is_person else _("Dear Sir or Madam")
    )
    return tuple(([name] if name else []) + lines), salutation, gaps


def _introduction(view: CaseReviewView) -> list[Block]:
    received = when(view.received_on)
    if view.applicant_type == "representative":
        victim = _victim_name(view) or _("the person you represent")
        first = _(
            "We received your application for an anti-social behaviour case review on "
            "{received}. You applied on behalf of {victim}."
        ).format(received=received, victim=victim)
    else:
        first = _(
            "We received your application for an anti-social behaviour case review on {received}."
        ).format(received=received)
    return [
        _p(first),
        _p(
            _(
                "A case review looks at how the agencies in {area} have responded to reports of "
                "anti-social behaviour, and whether they could do more."
            ).format(area=view.area)
        ),
    ]


def _threshold_rule(view: CaseReviewView, p: CaseReviewParameters) -> Block:
    if p.hate_incident_complaints < p.qualifying_complaints:
        rule = ngettext(
            "The {area} case review procedure says we must hold a case review when there has "
            "been at least %(num)d qualifying complaint about the behaviour, or {hate}.",
            "The {area} case review procedure says we must hold a case review when there have "
            "been at least %(num)d qualifying complaints about the behaviour, or {hate}.",
            p.qualifying_complaints,
        ).format(
            area=view.area,
            hate=ngettext(
                "%(num)d about a hate incident",
                "%(num)d about hate incidents",
                p.hate_incident_complaints,
            ),
        )
    else:
        rule = ngettext(
            "The {area} case review procedure says we must hold a case review when there has "
            "been at least %(num)d qualifying complaint about the behaviour.",
            "The {area} case review procedure says we must hold a case review when there have "
            "been at least %(num)d qualifying complaints about the behaviour.",
            p.qualifying_complaints,
        ).format(area=view.area)
    qualifies = _(
        "A complaint qualifies if it was made within {within} of the behaviour, and the "
        "application was made within {apply} of the complaint."
    ).format(within=_months(p.complaint_within_months), apply=_months(p.application_within_months))
    return _p(f"{rule} {qualifies}")


def _qualifying(view: CaseReviewView, context: Context) -> list[Block]:
    total, met = len(view.complaints), view.threshold.qualifying_complaints
    if met == 0:
        count = ngettext(
            "The application told us about %(num)d complaint. It did not qualify.",
            "The application told us about %(num)d complaints. They did not qualify.",
            total,
        )
    else:
        count = (
            ngettext(
                "The application told us about %(num)d complaint.",
                "The application told us about %(num)d complaints.",
                total,
            )
            + " "
            + ngettext("%(num)d of them qualified.", "%(num)d of them qualified.", met)
        )
    blocks = [_p(count)]
    failed = [c for c in view.complaints if not c.qualifies]
    if failed and met:
        blocks.append(_p(_("These complaints did not qualify:")))
    elif failed:
        blocks.append(_p(_("The complaints were:")))
    if failed:
        lines = []
        for c in failed:
            why = not_qualifying_words(c, view.received_on, context.parameters)
            line = _complaint(c, context)
            lines.append(f"{line}: {why}" if why else line)
        blocks.append(Block("list", tuple(lines)))
    return blocks


# Why a complaint did not qualify, for the applicant and the coordinator
# (``criteria.NOT_QUALIFYING``: the rules these put in words).
NOT_QUALIFYING_WORDS = {
    "complained_late": (
        N_("it was reported more than a month after the behaviour"),
        N_("it was reported more than {months} months after the behaviour"),
        "complaint_within_months",
    ),
    "applied_late": (
        N_("it was reported more than a month before the application"),
        N_("it was reported more than {months} months before the application"),
        "application_within_months",
    ),
    "before_behaviour": (
        N_("it was dated before the behaviour it reports"),
        N_("it was dated before the behaviour it reports"),
        None,
    ),
}


def not_qualifying_words(
    complaint: ComplaintView, application_on: date, parameters: CaseReviewParameters
) -> str | None:
    """Why a complaint did not qualify, in words (None when it did)."""
    rule = why_not_qualifying(
        Complaint(complaint.behaviour_on, complaint.complained_on, complaint.hate_incident),
        application_on,
        parameters,
    )
    if rule is None:
        return None
    one, many, months = NOT_QUALIFYING_WORDS[rule.code]
    n = getattr(parameters, months) if months else 1
    return _(one) if n == 1 else _(many).format(months=n)


def _complaint(complaint: ComplaintView, context: Context) -> str:
    dates = {"complained": when(complaint.complained_on), "behaviour": when(complaint.behaviour_on)}
    if complaint.agency_id is None:  # the applicant did not know whom they told
        return _("the complaint made on {complained}, about behaviour on {behaviour}").format(
            **dates
        )
    return _(
        "the complaint made to {agency} on {complained}, about behaviour on {behaviour}"
    ).format(agency=_agency(context, complaint.agency_id), **dates)


def _factors(view: CaseReviewView) -> Block | None:
    if view.decision is None or view.decision.decided_by != "coordinator":
        return None
    lines = []
    for reason in view.decision.reasons:
        words = FACTOR_WORDS.get(str(reason.code))
        if words is None:
            continue
        finding = (
            _("we found this supports a review")
            if reason.met
            else _("we found this does not support a review")
        )
        lines.append(f"{_(words)}: {finding}")
    return Block("list", tuple(lines)) if lines else None


def _escalation(view: CaseReviewView, context: Context, what: str) -> Section:
    route = context.escalation_route or _(
        "The office of the police and crime commissioner for your area"
    )
    return Section(
        what,
        (
            _p(
                _(
                    "You can ask for this to be looked at again. Contact the organisation below, "
                    "quote our reference {reference} and tell them why you are not satisfied."
                ).format(reference=view.reference)
            ),
            Block("contact", (route,)),
            _p(
                _(
                    "The {area} case review procedure says how this is done, as the {act} "
                    "requires (Schedule 4, paragraph 3)."
                ).format(area=view.area, act=ACT)
            ),
        ),
    )


def _carrying_on() -> Section:
    return Section(
        _("If the anti-social behaviour carries on"),
        (
            _p(
                _(
                    "Please keep reporting it to the police, the council or your landlord. If "
                    "there are new complaints, you can apply for a case review again."
                )
            ),
        ),
    )


def _signature(view: CaseReviewView, context: Context) -> tuple[str, ...]:
    return (
        context.sender,
        _("Anti-social behaviour case review coordinator for {area}").format(area=view.area),
        context.sender_agency,
    )


# --- the letters -----------------------------------------------------------------------------


def _decision_sections(view: CaseReviewView, context: Context, gaps: list[str]) -> list[Section]:
    decision = view.decision
    assert decision is not None
    p = context.parameters
    decided = when(decision.decided_on)
    if decision.decision == "declined":
        why: list[Block] = [_threshold_rule(view, p), *_qualifying(view, context)]
        why.append(
            _p(
                _(
                    "When the threshold is not met, we can still decide to hold a case review. "
                    "We looked at:"
                )
            )
        )
        if (factors := _factors(view)) is not None:
            why.append(factors)
        if decision.note:
            why += [_p(_("Our reasons:")), *_paragraphs(decision.note)]
        else:
            gaps.append(
                _("The reasons written with the decision: the hub does not show them to you.")
            )
        return [
            Section(
                _("Our decision"),
                (
                    _p(_("We have decided not to hold a case review.")),
                    _p(_("We made this decision on {date}.").format(date=decided)),
                ),
            ),
            Section(_("Why we made this decision"), tuple(why)),
            _escalation(view, context, _("If you are not satisfied with this decision")),
            _carrying_on(),
        ]
    if decision.decision == "threshold_met":
        reasons = [
            _p(
                ngettext(
                    "The application met the threshold for a case review: %(num)d of the "
                    "complaints qualified.",
                    "The application met the threshold for a case review: %(num)d of the "
                    "complaints qualified.",
                    view.threshold.qualifying_complaints,
                )
            ),
            _threshold_rule(view, p),
        ]
    else:
        reasons = [
            _threshold_rule(view, p),
            *_qualifying(view, context),
            _p(
                _(
                    "When the threshold is not met, we can still decide to hold a case review. "
                    "We decided to hold one on {date}. We looked at:"
                ).format(date=decided)
            ),
        ]
        if (factors := _factors(view)) is not None:
            reasons.append(factors)
        if decision.note:
            reasons += [_p(_("Our reasons:")), *_paragraphs(decision.note)]
    next_steps = []
    asked = [_agency(context, r.agency_id) for r in view.information_requests]
    if asked:
        next_steps.append(
            _p(
                _("We have asked {agencies} for information about what they know and did.").format(
                    agencies=_listed(asked)
                )
            )
        )
    else:
        next_steps.append(
            _p(_("We will ask the agencies involved for information about what they know and did."))
        )
    meeting = next((c for c in view.clocks if c.name == "review_meeting"), None)
    if view.review_held_on is not None:
        next_steps.append(
            _p(_("The review meeting was held on {date}.").format(date=when(view.review_held_on)))
        )
    elif meeting is not None and meeting.due_on is not None:
        next_steps.append(
            _p(_("We aim to hold the review meeting by {date}.").format(date=when(meeting.due_on)))
        )
    next_steps.append(_p(_("We will write to you again to tell you the outcome of the review.")))
    return [
        Section(_("Our decision"), (_p(_("We will hold a case review.")), *reasons)),
        Section(_("What happens next"), tuple(next_steps)),
        _escalation(
            view, context, _("If you are not satisfied with how your application is dealt with")
        ),
    ]


def _outcome_sections(view: CaseReviewView, context: Context, gaps: list[str]) -> list[Section]:
    assert view.review_held_on is not None
    held = [_p(_("The review meeting was held on {date}.").format(date=when(view.review_held_on)))]
    asked = [_agency(context, r.agency_id) for r in view.information_requests]
    if asked:
        held.append(
            _p(
                _(
                    "Before it, we asked {agencies} for information about what they knew and did."
                ).format(agencies=_listed(asked))
            )
        )
    found = _paragraphs(view.outcome_summary)
    if not found:
        gaps.append(_("What the review found: the hub does not show it to you."))
    recommendations: list[Block] = []
    if view.recommendations:
        recommendations.append(
            _p(
                ngettext(
                    "The review made %(num)d recommendation. It is made to the organisation "
                    "named, which will tell us what it is doing about it:",
                    "The review made %(num)d recommendations. Each is made to the organisation "
                    "named, which will tell us what it is doing about it:",
                    len(view.recommendations),
                )
            )
        )
        items = []
        for r in view.recommendations:
            if r.recommendation is None:
                gaps.append(
                    _("A recommendation to {agency}: the hub does not show it to you.").format(
                        agency=_agency(context, r.agency_id)
                    )
                )
                continue
            items.append(
                _("{agency}: {recommendation}").format(
                    agency=_agency(context, r.agency_id),
                    recommendation=" ".join(_text_lines(r.recommendation)),
                )
            )
        if items:
            recommendations.append(Block("list", tuple(items)))
    else:
        recommendations.append(_p(_("The review did not make any recommendations.")))
    return [
        Section(_("The review"), tuple(held)),
        Section(_("What the review found"), tuple(found)),
        Section(_("What the review recommends"), tuple(recommendations)),
        _escalation(view, context, _("If you are not satisfied with the outcome")),
        _carrying_on(),
    ]


def _introduction_section(view: CaseReviewView) -> tuple[Section, ...]:
    return (Section(_("Your application"), tuple(_introduction(view))),)


def compose(view: CaseReviewView, kind: LetterKind, context: Context) -> Letter:
    """The letter of this kind, as this reader may send it. The review must
    have reached it (``letters_open``)."""
    if kind not in letters_open(view):
        raise ValueError(f"the review has no {kind} letter yet")
    lines, salutation, gaps = addressee(view, context)
    if context.escalation_route is None:
        gaps.append(
            _(
                "Where to ask for the decision to be looked at again: the area has not recorded "
                "its own route, so the letter names the police and crime commissioner's office "
                "in general words. Record the route in the area's procedure."
            )
        )
    if kind == "decision":
        told_on = view.applicant_told_decision_on
        title = _("Your application for an anti-social behaviour case review: our decision")
        sections = _decision_sections(view, context, gaps)
    else:
        told_on = view.applicant_told_outcome_on
        title = _("The outcome of your anti-social behaviour case review")
        sections = _outcome_sections(view, context, gaps)
    return Letter(
        kind=kind,
        reference=str(view.reference),
        title=title,
        dated=told_on or context.today,
        told_on=told_on,
        addressee=lines,
        salutation=salutation,
        sections=(*_introduction_section(view), *sections),
        signature=_signature(view, context),
        gaps=tuple(gaps),
    )


# --- the PDF ---------------------------------------------------------------------------------

PRIVATE = N_("Private and confidential")


class _LetterPDF(FPDF):
    def __init__(self, reference: str) -> None:
        super().__init__(format="A4")
        self.reference = reference
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(auto=True, margin=22)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.cell(
            0,
            5,
            _("Our reference {reference} – page {page} of {pages}").format(
                reference=self.reference, page=self.page_no(), pages="{nb}"
            ),
            align="C",
        )


def render_pdf(letter: Letter, *, author: str) -> bytes:
    pdf = _LetterPDF(letter.reference)
    pdf.set_title(letter.title)
    pdf.set_subject(letter.reference)
    pdf.set_author(author)
    pdf.set_creator("sharehub")
    pdf.set_lang(current_language())
    pdf.page_mode = "USE_OUTLINES"
    pdf.alias_nb_pages()
    pdf.add_page()

    def line(text: str, size: float = 11, style: str = "", height: float = 5.5) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, height, text, align="L", new_x="LMARGIN", new_y="NEXT")

    line(_(PRIVATE), 12, "B", 7)
    pdf.ln(3)
    for text in letter.addressee:
        line(text)
    pdf.ln(8)
    line(when(letter.dated))
    line(_("Our reference: {reference}").format(reference=letter.reference))
    pdf.ln(6)
    line(letter.salutation)
    pdf.ln(4)
    pdf.start_section(letter.title, level=0)
    line(letter.title, 14, "B", 7)

    def keep_together(height: float) -> None:
        """A new page rather than a heading or the signature alone at the foot of one."""
        if pdf.get_y() + height > pdf.h - pdf.b_margin:
            pdf.add_page()

    for section in letter.sections:
        pdf.ln(3)
        keep_together(25)
        pdf.start_section(section.heading, level=1)
        line(section.heading, 12, "B", 7)
        pdf.ln(1)
        for block in section.blocks:
            if block.kind == "list":
                for item in block.lines:
                    left = pdf.l_margin
                    pdf.set_font("DejaVu", "", 11)
                    pdf.cell(6, 5.5, "•")
                    pdf.set_left_margin(left + 6)
                    line(item)
                    pdf.set_left_margin(left)
                    pdf.ln(1)
            elif block.kind == "contact":
                left = pdf.l_margin
                pdf.set_left_margin(left + 8)
                pdf.set_x(left + 8)
                for text in block.lines:
                    line(text, style="B")
                pdf.set_left_margin(left)
                pdf.ln(2)
            else:
                for text in block.lines:
                    line(text)
                pdf.ln(2)
    pdf.ln(4)
    keep_together(40)
    line(_("Yours sincerely"))
    pdf.ln(10)
    for i, text in enumerate(letter.signature):
        line(text, style="B" if i == 0 else "")
    return bytes(pdf.output())
