"""ukcn's review models, split by concept (one module each)."""

from .audit import AuditEvent
from .checklist import Answer, ChecklistAnswer, ChecklistGroup, ChecklistItem, ChecklistVersion
from .legal import (
    FirsSpecifiedPower,
    LegalAlert,
    LegalDetermination,
    NsiAreaVersion,
)
from .notifications import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    ScheduledJobRun,
)
from .reference import CountryContext, CountryLevel, Discipline, DisciplineGroup, Sector
from .requests import (
    Attachment,
    CollaborationType,
    Condition,
    Decision,
    FunderType,
    FundingSource,
    Organisation,
    OrganisationType,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    SignOff,
    SubPartner,
    Tier,
    WorkLocation,
)
from .scoring import Assessment, ScoringPolicy
from .watchlist_imports import WatchlistImport
from .watchlists import (
    EntryKind,
    EntryRiskOverride,
    LegalEffect,
    RiskLevel,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)

__all__ = [
    "Answer",
    "Assessment",
    "Attachment",
    "AuditEvent",
    "ChecklistAnswer",
    "ChecklistGroup",
    "ChecklistItem",
    "ChecklistVersion",
    "CollaborationType",
    "Condition",
    "CountryContext",
    "CountryLevel",
    "Decision",
    "DeliveryChoice",
    "Discipline",
    "DisciplineGroup",
    "EmailStatus",
    "EntryKind",
    "EntryRiskOverride",
    "FunderType",
    "FundingSource",
    "LegalEffect",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "Organisation",
    "OrganisationType",
    "Partner",
    "PartnershipRequest",
    "Recommendation",
    "RequestStatus",
    "RiskLevel",
    "ScheduledJobRun",
    "ScoringPolicy",
    "Sector",
    "SignOff",
    "Tier",
    "Watchlist",
    "WatchlistEntry",
    "WatchlistImport",
    "WatchlistVersion",
    "WorkLocation",
]
from .screening import (
    MatchStatus,
    ScreeningAlert,
    ScreeningDismissal,
    ScreeningMatch,
    ScreeningSettings,
    SubjectKind,
)

__all__ += [
    "MatchStatus",
    "ScreeningAlert",
    "ScreeningDismissal",
    "ScreeningMatch",
    "ScreeningSettings",
    "SubjectKind",
]
from .organisations import IdentityStatus, OrganisationIdentity  # noqa: E402

__all__ += ["IdentityStatus", "OrganisationIdentity", "SubPartner"]
from .people import (  # noqa: E402 (after the models it refers to)
    AtasCertificate,
    AtasListVersion,
    Declaration,
    DeclarationKind,
    ImmigrationRoute,
    Person,
    PersonCategory,
)

__all__ += [
    "AtasCertificate",
    "AtasListVersion",
    "Declaration",
    "DeclarationKind",
    "ImmigrationRoute",
    "Person",
    "PersonCategory",
]

__all__ += ["FirsSpecifiedPower", "LegalAlert", "LegalDetermination", "NsiAreaVersion"]
