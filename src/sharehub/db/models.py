"""Every domain's tables, imported in one place so that Alembic sees them all."""

from sharehub.access.models import AccessState, RoleAssignment  # noqa: F401
from sharehub.agencies.models import Agency, AgencyArea  # noqa: F401
from sharehub.audit.models import Checkpoint, LedgerEntry, LedgerState  # noqa: F401
from sharehub.db.base import Base
from sharehub.db.references import ReferenceCounter  # noqa: F401
from sharehub.identity.models import (  # noqa: F401
    IdentityProvider,
    MachineClient,
    User,
    UserSession,
)
from sharehub.meetings.models import (  # noqa: F401
    Acknowledgement,
    Action,
    ActionUpdate,
    AgendaItem,
    Contribution,
    ContributionSubject,
    Meeting,
    MeetingAgency,
    Minutes,
    OnwardSharing,
)
from sharehub.privacy.models import (  # noqa: F401
    Consent,
    ConsentWithdrawal,
    Disclosure,
    SafeguardingOverride,
    SharingDecision,
    Subject,
    SubjectIndexEntry,
)
from sharehub.protocols.models import (  # noqa: F401
    Protocol,
    ProtocolParty,
    ProtocolPurpose,
    ProtocolSignature,
    ProtocolVersion,
)
from sharehub.referrals.asb.models import (  # noqa: F401
    AsbCase,
    AsbCaseEntry,
    AsbCaseReport,
    AsbEvidenceRequest,
    AsbReport,
    AsbReportEvent,
    AsbReportSubject,
    AsbRiskAssessment,
    TriagePolicy,
)
from sharehub.referrals.case_review.models import (  # noqa: F401
    CaseReview,
    CaseReviewComplaint,
    CaseReviewProcedure,
    InformationRequest,
    OnlineApplicationCount,
    Recommendation,
    ResponseSubject,
)
from sharehub.referrals.mappa.models import (  # noqa: F401
    MappaInvitation,
    MappaLevelDecision,
    MappaReferral,
)
from sharehub.referrals.marac.models import MaracAreaCriteria, MaracReferral  # noqa: F401
from sharehub.retention.models import LegalHold  # noqa: F401

metadata = Base.metadata
