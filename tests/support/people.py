"""Fictional people for privacy tests and benchmarks, and the ways their
identifiers get written in free text.

Names and places come from Faker's en_GB provider; telephone numbers from
Ofcom's ranges reserved for drama (07700 900000-900999, 01632 960000-960999);
e-mail addresses are at example.org; NHS and NI numbers are generated to be
well formed, not taken from anyone.
"""

from __future__ import annotations

import random
import re
from datetime import date

from faker import Faker
from hypothesis import strategies as st

from sharehub.privacy.identifiers import nhs_check_digit
from sharehub.privacy.identity import Identity

_fake = Faker("en_GB")
_fake.seed_instance(115)
FIRST_NAMES = sorted({_fake.first_name() for _ in range(400)})
LAST_NAMES = sorted({_fake.last_name() for _ in range(400)})
STREETS = sorted({_fake.street_name() for _ in range(300)})
TOWNS = sorted({_fake.city() for _ in range(200)})
# Words of the hub's own pseudonyms and placeholders ("[phone of Complainant A]").
PSEUDONYM_WORDS = set(
    "complainant victim witness child household member applicant representative alleged "
    "perpetrator offender subject address phone number withheld of e-mail nhs ni postcode "
    "date birth name".split()
)
FILLER = (
    "reported noise late at night and the council visited again while neighbours "
    "said the behaviour had continued over the weekend near the shops"
).split()


def nhs_number(seed: int) -> str:
    """A well-formed NHS number from a seed (skipping check digits of 10)."""
    base = 400_000_000 + seed % 99_999_999
    while True:
        first_nine = f"{base:09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
        base += 1


def ni_number(seed: int) -> str:
    letters = "ABCEGHJKLMNPRSTWXYZ"
    rng = random.Random(seed)
    prefix = rng.choice("ABCEGHJKLMNPRSTWXYZ") + rng.choice(letters)
    if prefix in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        prefix = "AB"
    return f"{prefix}{rng.randrange(10**6):06d}{rng.choice('ABCD')}"


def postcode(seed: int) -> str:
    rng = random.Random(seed)
    area = rng.choice(["HX", "LS", "M", "B", "NE", "CF", "SA", "TS"])
    unit = "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
    return f"{area}{rng.randrange(1, 40)} {rng.randrange(1, 10)}{unit}"


def fictional(seed: int) -> Identity:
    """One fictional person, without hypothesis (for benchmarks and the demo)."""
    rng = random.Random(seed)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return Identity(
        name=f"{first} {last}",
        aliases=(f"{rng.choice(FIRST_NAMES)} {last}",),
        date_of_birth=date(1960 + seed % 40, 1 + seed % 12, 1 + seed % 28),
        address=(f"{10 + seed} {rng.choice(STREETS)}", rng.choice(TOWNS)),
        postcode=postcode(seed),
        phone=f"07700900{seed % 1000:03d}",
        email=f"{first}.{last}{seed}@example.org".lower().replace(" ", "").replace("'", ""),
        nhs_number=nhs_number(seed * 7919),
        ni_number=ni_number(seed),
    )


@st.composite
def identities(draw: st.DrawFn, seed: int) -> Identity:
    """One fictional person; ``seed`` keeps numbers distinct between people."""
    first = draw(st.sampled_from(FIRST_NAMES))
    last = draw(st.sampled_from(LAST_NAMES))
    alias = draw(st.sampled_from(FIRST_NAMES))
    return Identity(
        name=f"{first} {last}",
        aliases=(f"{alias} {last}",) if draw(st.booleans()) else (),
        date_of_birth=date(1960 + seed % 40, 1 + seed % 12, 1 + seed % 28),
        address=(f"{10 + seed} {draw(st.sampled_from(STREETS))}", draw(st.sampled_from(TOWNS))),
        postcode=postcode(seed),
        phone=f"07700900{seed % 1000:03d}",
        email=f"{first}.{last}{seed}@example.org".lower().replace(" ", "").replace("'", ""),
        nhs_number=nhs_number(seed * 7919),
        ni_number=ni_number(seed),
    )


def phone_formats(national: str) -> list[str]:
    rest = national[1:]
    return [
        national,
        f"{national[:5]} {national[5:]}",
        f"+44 {rest[:4]} {rest[4:]}",
        f"+44 (0){rest[:4]} {rest[4:]}",
        f"0044 {rest}",
        f"{national[:5]}-{national[5:8]}-{national[8:]}",
        f"({national[:5]}) {national[5:]}",
    ]


def written_forms(identity: Identity) -> list[str]:
    """The ways a practitioner might write this person's identifiers in a note."""
    first, last = identity.name.split(" ", 1)
    forms = [identity.name, first, last, f"{last}, {first}", f"Ms {last}"]
    forms += list(identity.aliases)
    forms += list(identity.address)
    forms += phone_formats(identity.phone or "")
    forms += [identity.email or "", (identity.email or "").upper()]
    nhs = identity.nhs_number or ""
    forms += [nhs, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}", f"{nhs[:3]}-{nhs[3:6]}-{nhs[6:]}"]
    ni = identity.ni_number or ""
    forms += [ni, f"{ni[:2]} {ni[2:4]} {ni[4:6]} {ni[6:8]} {ni[8]}", ni.lower()]
    code = identity.postcode or ""
    forms += [code, code.replace(" ", "").lower()]
    if identity.date_of_birth:
        forms.append(identity.date_of_birth.strftime("%d/%m/%Y"))
    return forms


def cased(text: str, how: int) -> str:
    return [text, text.upper(), text.lower(), text.title(), text.swapcase()][how % 5]


@st.composite
def narratives(draw: st.DrawFn, people: list[Identity]) -> str:
    """Free text mixing filler words with people's identifiers in any form and case."""
    words: list[str] = []
    for _ in range(draw(st.integers(3, 12))):
        words += draw(st.lists(st.sampled_from(FILLER), min_size=1, max_size=6))
        person = draw(st.sampled_from(people))
        form = draw(st.sampled_from(written_forms(person)))
        words.append(
            cased(form, draw(st.integers(0, 4))) + draw(st.sampled_from(["", ",", ".", "'s", ")"]))
        )
    return " ".join(words)


_NUMBERISH = re.compile(r"[+(]?\d[\d\s().\-+]*\d")
_NI_LIKE = re.compile(r"[A-Za-z]{2}(?:[\s\-]?\d{2}){3}(?:[\s\-]?[A-Da-d])?")
_POSTCODE_LIKE = re.compile(r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w']+", text.casefold()))


def leaked(output: str, identity: Identity, hidden: set[str], allowed_words: set[str]) -> list[str]:
    """The identifiers of ``identity``'s hidden fields found in ``output``, in
    any form or case. ``allowed_words`` may appear for other reasons (a shown
    person's name shares a word)."""
    found: list[str] = []
    folded = " ".join(output.casefold().split())

    def has_words(text: str) -> bool:
        pattern = r"[\s,]+".join(re.escape(w) for w in re.split(r"[\s,]+", text.casefold()) if w)
        return re.search(rf"(?<!\w){pattern}(?!\w)", folded) is not None

    names = []
    if "name" in hidden:
        names.append(identity.name)
    if "aliases" in hidden:
        names += identity.aliases
    for name in names:
        if name.casefold() not in allowed_words and has_words(name):
            found.append(name)
        for part in re.split(r"[\s\-]+", name):
            if len(part) >= 2 and part.casefold() not in allowed_words and has_words(part):
                found.append(part)
    if "address" in hidden:
        found += [
            line
            for line in identity.address
            if line.casefold() not in allowed_words and has_words(line)
        ]
    if "email" in hidden and identity.email and identity.email.casefold() in folded:
        found.append(identity.email)
    runs = ["".join(ch for ch in m.group(0) if ch.isdigit()) for m in _NUMBERISH.finditer(output)]
    if "phone" in hidden and identity.phone:
        if any(identity.phone[1:] in run for run in runs):
            found.append(identity.phone)
    if "nhs_number" in hidden and identity.nhs_number:
        if any(identity.nhs_number in run for run in runs):
            found.append(identity.nhs_number)
    if "ni_number" in hidden and identity.ni_number:
        compact = [re.sub(r"[\s\-]", "", m.group(0)).upper() for m in _NI_LIKE.finditer(output)]
        if any(c.startswith(identity.ni_number[:8]) for c in compact):
            found.append(identity.ni_number)
    if "postcode" in hidden and identity.postcode:
        target = identity.postcode.replace(" ", "")
        codes = [re.sub(r"\s", "", m.group(0)).upper() for m in _POSTCODE_LIKE.finditer(output)]
        if target in codes:
            found.append(identity.postcode)
    if "date_of_birth" in hidden and identity.date_of_birth:
        if identity.date_of_birth.strftime("%d/%m/%Y") in output:
            found.append(identity.date_of_birth.isoformat())
    return found


def words_of(identity: Identity, fields: set[str]) -> set[str]:
    words: set[str] = set()
    for field in fields:
        value = getattr(identity, field)
        for item in value if isinstance(value, tuple) else [value]:
            if item:
                words |= _words(str(item))
                words.add(str(item).casefold())
    return words
