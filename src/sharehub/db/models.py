"""Every domain's tables, imported in one place so that Alembic sees them all."""

from sharehub.access.models import AccessState, RoleAssignment  # noqa: F401
from sharehub.agencies.models import Agency, AgencyArea  # noqa: F401
from sharehub.db.base import Base
from sharehub.identity.models import (  # noqa: F401
    IdentityProvider,
    MachineClient,
    User,
    UserSession,
)

metadata = Base.metadata
