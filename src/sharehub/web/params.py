"""Parameter types every controller uses: the request's database session, the gate's
context and If-Match."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from sharehub.disclosure.context import GateContext
from sharehub.files import EncryptedFiles

# The request's one database transaction (see web/database.py).
Session = NamedDependency[AsyncSession]
# What the disclosure gate needs, once per request (see disclosure/context.py):
# declare a handler parameter ``gate: Gate``.
Gate = NamedDependency[GateContext]

# Where attachments are kept, encrypted (see files.py): ``files: Files``.
Files = NamedDependency[EncryptedFiles]

# The ETag a change was made against (see web/versions.py).
IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", description='The ETag you read, e.g. "3"', required=False),
]
