"""Constrained text types shared by request schemas.

Each carries its limits as msgspec ``Meta`` so that bad input is refused while
decoding, with the field named, and the limits appear in the OpenAPI document.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

# At least one visible character, no control characters (they break exports and logs).
PRINTABLE = r"^(?=.*\S)[^\x00-\x1f\x7f]*$"
# Several lines of text: line breaks and tabs allowed, other control characters
# not, and something more than white space.
PARAGRAPHS = r"^(?=[\s\S]*\S)[^\x00-\x08\x0b-\x1f\x7f]*$"


Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=200, pattern=PRINTABLE, description="A name")
]
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254,
        pattern=r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$",
        description="An e-mail address",
    ),
]
Telephone = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=32,
        pattern=r"^\+?[0-9][0-9 ()-]*$",
        description="A telephone number: digits, spaces, brackets, hyphens, optional leading +",
    ),
]
