"""Parameter types every controller uses: the request's database session and If-Match."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

# The request's one database transaction (see web/database.py).
Session = NamedDependency[AsyncSession]

# The ETag a change was made against (see web/versions.py).
IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", description='The ETag you read, e.g. "3"', required=False),
]
