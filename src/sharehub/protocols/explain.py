"""The legal rules in plain English, generated from gateways.toml.

docs/lawful-basis.md carries this text between two marker lines; a test
regenerates it and fails if the page and the data file disagree, so the page
an information governance lead reads cannot drift from what the engine does.
Regenerate with ``sharehub gateways doc --write docs/lawful-basis.md``.
"""

from __future__ import annotations

from pathlib import Path

from sharehub.protocols.gateways import GatewayRules

BEGIN = "<!-- generated from src/sharehub/protocols/gateways.toml: begin -->"
END = "<!-- generated from src/sharehub/protocols/gateways.toml: end -->"

# Plain words for the named checks a rule may require.
CHECK_WORDS = {
    "recipient_is_s115_relevant_authority": "the recipient is a relevant authority under section 115",
    "mappa_responsible_authority_and_partner": (
        "one party is a MAPPA responsible authority and the other a responsible authority "
        "or duty-to-co-operate agency"
    ),
    "recipient_is_case_review_body": "the recipient is a relevant body for ASB case reviews",
    "discloser_exercises_public_functions": "the discloser exercises public functions",
    "consent_covers_this_disclosure": "the subject's consent is recorded and covers this recipient",
    "risk_of_serious_harm": "a risk of serious harm is recorded",
    "consent_not_available": (
        "consent cannot be given, cannot reasonably be obtained, or seeking it would "
        "prejudice the protection"
    ),
    "never_for_partnership_sharing": "never: not a basis for partnership sharing",
    "gateway_imposes_a_duty": "the gateway relied on imposes a duty to disclose",
    "discloser_is_not_a_public_authority": "the discloser is not a public authority",
    "purpose_concerns_unlawful_acts": "the purpose is preventing or detecting unlawful acts",
}

_S115_WORDS = {"yes": "yes", "no": "no", "unsettled": "unsettled (the engine asks for review)"}


def _needs(checks: tuple[str, ...]) -> str:
    return "; ".join(CHECK_WORDS[c] for c in checks) or "nothing further"


def render_rules_markdown(rules: GatewayRules) -> str:
    out = [BEGIN, "", f"Rules version: `{rules.version}`.", "", "### Gateways", ""]
    for gateway in rules.gateways:
        out += [
            f"**{gateway.name}** (`{gateway.code}`; {gateway.citation}).",
            f"Serves: {', '.join(p.value for p in gateway.purposes)}.",
            f"Applies when: {_needs(gateway.requires)}.",
            *(
                [f"A duty only where: {_needs(gateway.duty_only_when)}; for others a power."]
                if gateway.duty_only_when
                else []
            ),
            f"Article 6 bases it supports: {', '.join(b.value for b in gateway.article6)}."
            + (
                " A power only: it does not itself satisfy data protection law."
                if gateway.power_only
                else ""
            ),
            f"{gateway.note}",
            "",
        ]
    out += ["### UK GDPR, Article 6 bases", "", "| basis | citation | needs |", "|---|---|---|"]
    for basis, rule in rules.article6.items():
        out.append(f"| `{basis.value}` | {rule.citation} | {_needs(rule.requires)} |")
    if rules.onward_sharing:
        out += ["", "### Onward sharing of meeting minutes", ""]
        out += ["| purpose | who must agree | rule | source |", "|---|---|---|---|"]
        agree = {"chair": "the chair", "information_owners": "every agency whose information it is"}
        for purpose, rule in rules.onward_sharing.items():
            out.append(
                f"| {rules.purposes[purpose].name} | {agree[rule.agreement]} | {rule.text} | "
                f"{rule.citation} |"
            )
    out += ["", "### Conditions for special category and criminal offence data", ""]
    out += ["| condition | citation | needs |", "|---|---|---|"]
    for condition, rule in rules.schedule1.items():
        out.append(f"| `{condition.value}` | {rule.citation} | {_needs(rule.requires)} |")
    out += [
        "",
        "### Data categories",
        "",
        "| category | what it is | needs a condition | identifies the subject |",
    ]
    out.append("|---|---|---|---|")
    for category, rule in rules.categories.items():
        needs = {"article_9": "Article 9 (special category)", "article_10": "Article 10 (criminal offence)"}
        out.append(
            f"| `{category.value}` | {rule.name} | {needs.get(rule.needs_condition, 'no')} | "
            f"{'yes' if rule.identifying else 'no'} |"
        )
    out += [
        "",
        "### Agency types",
        "",
        "| agency type | public authority | section 115 relevant authority | MAPPA | ASB case review |",
        "|---|---|---|---|---|",
    ]
    for agency_type, rule in rules.agency_types.items():
        out.append(
            f"| `{agency_type.value}` | {'yes' if rule.public_authority else 'no'} | "
            f"{_S115_WORDS[rule.s115]} | {rule.mappa.replace('_', ' ')} | "
            f"{rule.case_review.replace('_', ' ')} |"
        )
    notes = [(t, r.s115_note) for t, r in rules.agency_types.items() if r.s115_note]
    if notes:
        out += ["", "Notes on section 115:", ""]
        out += [f"- `{t.value}`: {note}" for t, note in notes]
    protection = rules.identity_protection
    out += [
        "",
        "### Whose identity is withheld by default",
        "",
        (
            "The identity and contact details of a "
            f"{', '.join(r.replace('_', ' ') for r in protection.subject_roles)} are withheld "
            "unless consent covering the recipient is recorded, a recorded sharing decision "
            "covers the recipient and purpose, or a person with the permission records a "
            f"time-limited safeguarding override ({protection.citation}). The disclosure gate "
            "applies this to every view and to free text (docs/privacy.md)."
        ),
        "",
        END,
    ]
    return "\n".join(out)


def splice(page: str, generated: str) -> str:
    """The page with its generated section replaced."""
    head, _, rest = page.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + generated + tail


def write_page(path: Path, rules: GatewayRules) -> None:
    path.write_text(splice(path.read_text(encoding="utf-8"), render_rules_markdown(rules)))
