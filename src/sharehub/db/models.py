"""Every domain's tables, imported in one place so that Alembic sees them all."""

from sharehub.agencies.models import Agency, AgencyArea  # noqa: F401
from sharehub.db.base import Base

metadata = Base.metadata
