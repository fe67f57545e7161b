"""ukcn's review models, split by concept (one module each)."""

from .audit import AuditEvent
from .checklist import ChecklistGroup, ChecklistItem
from .reference import Discipline, DisciplineGroup, Sector
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
    Tier,
    WorkLocation,
)
from .watchlists import RiskLevel, Watchlist, WatchlistEntry, WatchlistVersion

__all__ = [
    "Attachment",
    "AuditEvent",
    "ChecklistGroup",
    "ChecklistItem",
    "CollaborationType",
    "Condition",
    "Decision",
    "Discipline",
    "DisciplineGroup",
    "FunderType",
    "FundingSource",
    "Organisation",
    "OrganisationType",
    "Partner",
    "PartnershipRequest",
    "Recommendation",
    "RequestStatus",
    "RiskLevel",
    "Sector",
    "Tier",
    "Watchlist",
    "WatchlistEntry",
    "WatchlistVersion",
    "WorkLocation",
]
from .screening import (
    MatchStatus,
    ScreeningAlert,
    ScreeningDismissal,
    ScreeningMatch,
    ScreeningSettings,
)

__all__ += [
    "MatchStatus",
    "ScreeningAlert",
    "ScreeningDismissal",
    "ScreeningMatch",
    "ScreeningSettings",
]
