"""UK identifiers: checked on the way in, normalised for the blind index and
for finding them again inside free text.

Plain functions over strings. A checker returns the normalised value or raises
``ValueError`` with a reason that names the rule, never the value.
"""

from __future__ import annotations

import re
from datetime import date

# Outward code (area, district) and inward code (sector, unit); the Royal Mail
# format with the space optional on the way in.
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")

# HMRC National Insurance number format (HMRC National Insurance Manual
# NIM39110): two prefix letters (D, F, I, Q, U, V never; O never second; some
# pairs never allocated), six digits, suffix A to D.
_NI_NUMBER = re.compile(
    r"^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"
)

_SEPARATORS = re.compile(r"[\s().\-]")
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


def postcode(value: str) -> str:
    """``sw1a1aa`` → ``SW1A 1AA``."""
    found = _POSTCODE.match(" ".join(value.upper().split()))
    if not found:
        raise ValueError("not a UK postcode (for example AB1 2CD)")
    return f"{found.group(1)} {found.group(2)}"


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit (NHS Data Dictionary, "NHS number"); None
    where the weighted sum gives 10, which is never issued."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else None if check == 10 else check


def nhs_number(value: str) -> str:
    """``943 476 5919`` → ``9434765919``, with its check digit verified."""
    digits = _SEPARATORS.sub("", value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValueError("an NHS number has 10 digits")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValueError("the NHS number's check digit is wrong")
    return digits


def ni_number(value: str) -> str:
    """``qq 12 34 56 c`` → ``QQ123456C`` (HMRC format)."""
    compact = _SEPARATORS.sub("", value).upper()
    if not _NI_NUMBER.match(compact):
        raise ValueError("not a National Insurance number (two letters, six digits, A to D)")
    return compact


def phone_digits(value: str) -> str:
    """Any way of writing a UK number → its national digits: ``+44 (0)7700 900123``,
    ``0044 7700 900123`` and ``07700-900-123`` all give ``07700900123``."""
    digits = re.sub(r"[^0-9+]", "", value)
    if digits.startswith("+"):
        digits = "00" + digits[1:]
    if digits.startswith("0044"):
        digits = digits[4:]
        digits = digits if digits.startswith("0") else "0" + digits
    return digits


def phone(value: str) -> str:
    if not re.fullmatch(r"[0-9+()\s.\-]+", value):
        raise ValueError("a telephone number has digits, spaces, brackets and hyphens only")
    digits = phone_digits(value)
    if not re.fullmatch(r"0[0-9]{9,10}", digits):
        raise ValueError("not a UK telephone number (10 or 11 digits starting 0, or +44)")
    return digits


def email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    return value.strip().casefold()


def date_of_birth(value: date, today: date) -> date:
    if value > today:
        raise ValueError("a date of birth cannot be in the future")
    if value.year < today.year - 130:
        raise ValueError("a date of birth more than 130 years ago is a mistake")
    return value


def name_key(value: str) -> str:
    """How names are compared: letter case and spacing ignored."""
    return " ".join(value.casefold().split())


# The words of a text: letters and digits, everything else a gap.
WORD = re.compile(r"[^\W_]+")


def words_key(text: str) -> str:
    """How a name or an address is found in free text, word by word: letter case
    and punctuation ignored ("O'Brien-Smith" and "o brien smith" are one)."""
    return " ".join(m.group(0).casefold() for m in WORD.finditer(text))


def address_line_key(line: str) -> str | None:
    """The key an address line is indexed and found by: its words, where it has
    a house number (a town alone names nobody)."""
    key = words_key(line)
    if not any(ch.isdigit() for ch in key) or len(key.split()) < 2:
        return None
    return key


# The identifiers checked and normalised on the way in, by field.
CHECKS = {
    "postcode": postcode,
    "phone": phone,
    "email": email,
    "nhs_number": nhs_number,
    "ni_number": ni_number,
}
