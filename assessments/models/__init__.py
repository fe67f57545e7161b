"""ukcn's review models, split by concept (one module each)."""

from .audit import AuditEvent
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
