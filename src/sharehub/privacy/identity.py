"""A subject's identity as plain data, and how it is sealed at rest.

Each identity field is its own AES-GCM ciphertext bound to (table, field, row):
a value copied into another row or column fails to decrypt. Exact-match lookup
goes through HMAC digests of normalised values (``subject_index``), so the
hub can warn of duplicates without decrypting anyone.
"""

from __future__ import annotations

from datetime import date

import msgspec

from sharehub.crypto import BlindIndex, FieldCipher, open_field, seal_field
from sharehub.privacy import identifiers
from sharehub.privacy.models import Subject
from sharehub.protocols.terms import DataCategory


class Identity(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    address: tuple[str, ...] = ()
    postcode: str | None = None
    phone: str | None = None
    email: str | None = None
    nhs_number: str | None = None
    ni_number: str | None = None


# Which category of data each identity field is, for the lawful-basis engine:
# a protocol may allow identity but not contact details, and consent may cover
# one and not the other (ICO Data Sharing Code, "data items").
IDENTITY_FIELDS: dict[str, DataCategory] = {
    "name": DataCategory.IDENTITY,
    "aliases": DataCategory.IDENTITY,
    "date_of_birth": DataCategory.IDENTITY,
    "nhs_number": DataCategory.IDENTITY,
    "ni_number": DataCategory.IDENTITY,
    "address": DataCategory.CONTACT_DETAILS,
    "postcode": DataCategory.CONTACT_DETAILS,
    "phone": DataCategory.CONTACT_DETAILS,
    "email": DataCategory.CONTACT_DETAILS,
}
IDENTITY_CATEGORIES = frozenset(IDENTITY_FIELDS.values())

_LISTS = {"aliases", "address"}


def _plain(identity: Identity, field: str) -> str | None:
    value = getattr(identity, field)
    if field in _LISTS:
        return msgspec.json.encode(list(value)).decode() if value else None
    if isinstance(value, date):
        return value.isoformat()
    return value


def seal(subject: Subject, identity: Identity, cipher: FieldCipher) -> None:
    """Encrypt every identity field into the subject's row (its id must be set)."""
    for field in Subject.__encrypted__:
        seal_field(cipher, subject, field, _plain(identity, field))


def unseal(subject: Subject, cipher: FieldCipher) -> Identity:
    values: dict[str, object] = {}
    for field in Subject.__encrypted__:
        plain = open_field(cipher, subject, field)
        if plain is None:
            continue
        if field in _LISTS:
            values[field] = tuple(msgspec.json.decode(plain, type=list[str]))
        elif field == "date_of_birth":
            values[field] = date.fromisoformat(plain)
        else:
            values[field] = plain
    return msgspec.convert(values, Identity)


def index_digests(identity: Identity, index: BlindIndex) -> list[tuple[str, str]]:
    """(field, digest) for every identifier that can be looked up exactly."""
    entries = [("name", identifiers.name_key(identity.name))]
    entries += [("name", identifiers.name_key(alias)) for alias in identity.aliases]
    # How free text is searched for people the hub holds (privacy/recognition.py).
    for name in (identity.name, *identity.aliases):
        if len(identifiers.words_key(name).split()) >= 2:
            entries.append(("name_words", identifiers.words_key(name)))
    for line in identity.address:
        key = identifiers.address_line_key(line)
        if key:
            entries.append(("address", key))
    if identity.date_of_birth:
        entries.append(("date_of_birth", identity.date_of_birth.isoformat()))
    for field in ("postcode", "phone", "email", "nhs_number", "ni_number"):
        value = getattr(identity, field)
        if value:
            entries.append((field, value))
    return [(field, index.digest(field, value)) for field, value in dict.fromkeys(entries)]
