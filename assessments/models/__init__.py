"""ukcn's review models, split by concept (one module each)."""

from .audit import AuditEvent
from .checklist import ChecklistGroup, ChecklistItem
from .notifications import (
    DeliveryChoice,
    EmailStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    ScheduledJobRun,
)
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
    "DeliveryChoice",
    "Discipline",
    "DisciplineGroup",
    "EmailStatus",
    "FunderType",
    "FundingSource",
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
    "Sector",
    "Tier",
    "Watchlist",
    "WatchlistEntry",
    "WatchlistVersion",
    "WorkLocation",
]
