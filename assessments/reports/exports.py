"""Portfolio exports: one row per request (CSV, JSON, XLSX), streamed so memory stays flat.

Requests are read in chunks with their partners, sectors, funding, recommendations and
decisions prefetched per chunk, so the number of queries grows with chunks, not rows.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from ukcn.roles import Role, has_role

from ..audit import audit_chain_head, audit_record
from ..models import (
    AuditEvent,
    Decision,
    FunderType,
    Partner,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Tier,
)
from .cells import stream_csv, stream_json, write_xlsx

CHUNK_SIZE = 500
FORMATS = ("csv", "xlsx", "json")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# (key, column heading): the request sheet, in order.
REQUEST_COLUMNS = [
    ("reference", "Reference"),
    ("title", "Title"),
    ("department", "Department"),
    ("lead_academic", "Lead academic"),
    ("collaboration_type", "Collaboration type"),
    ("status", "Status"),
    ("tier", "Tier"),
    ("partners", "Partners"),
    ("countries", "Partner countries"),
    ("provinces", "Partner cities or provinces"),
    ("sectors", "NSI Act sectors"),
    ("disciplines", "Disciplines"),
    ("funders", "Funders"),
    ("funder_types", "Funder types"),
    ("funding_undisclosed", "Funding origin undisclosed"),
    ("decision", "Decision"),
    ("created_at", "Created"),
    ("submitted_at", "Submitted"),
    ("decided_at", "Decided"),
    ("next_review_date", "Next review"),
    ("reviewer", "Reviewer (recommended)"),
    ("approver", "Approver (decided)"),
]
PARTNER_COLUMNS = [
    ("reference", "Request"),
    ("organisation", "Organisation"),
    ("name_native", "Name in own script"),
    ("country", "Country"),
    ("city", "City or province"),
    ("org_type", "Type"),
    ("role", "Role in the project"),
]
EVENT_COLUMNS = [
    ("id", "Event"),
    ("at", "When"),
    ("actor", "Who"),
    ("action", "Action"),
    ("reference", "Request"),
    ("summary", "Summary"),
    ("ip_address", "IP address"),
    ("hash", "Hash"),
    ("previous_hash", "Previous hash"),
]
STATUS_LABELS = dict(RequestStatus.choices)
TIER_LABELS = dict(Tier.choices)
FUNDER_LABELS = dict(FunderType.choices)


@dataclass(frozen=True)
class DateRange:
    """Inclusive calendar dates in the office's time zone; either end may be open."""

    since: date | None = None
    until: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        start = timezone.make_aware(datetime.combine(self.since, time.min)) if self.since else None
        end = timezone.make_aware(datetime.combine(self.until, time.max)) if self.until else None
        return start, end

    def filter(self, queryset: QuerySet, field: str) -> QuerySet:
        start, end = self.bounds()
        if start:
            queryset = queryset.filter(**{f"{field}__gte": start})
        if end:
            queryset = queryset.filter(**{f"{field}__lte": end})
        return queryset


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _joined(values: Iterable[str]) -> str:
    return "; ".join(value for value in values if value)


def export_requests_queryset(requests: QuerySet) -> QuerySet:
    """The requests with everything an export row reads, fetched per chunk."""
    return (
        requests.select_related("department")
        .prefetch_related(
            Prefetch(
                "partners",
                queryset=Partner.objects.select_related("organisation").order_by("id"),
            ),
            "sectors",
            "disciplines",
            "funding_sources",
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.select_related("recommended_by"),
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        )
        .order_by("created_at", "id")
    )


def request_record(request: PartnershipRequest) -> dict:
    """One request as a flat export record (lists kept as lists; CSV and XLSX join them)."""
    organisations = [partner.organisation for partner in request.partners.all()]
    funding = list(request.funding_sources.all())
    recommendation = next(iter(request.recommendations.all()), None)
    decision = next((d for d in request.decisions.all() if not d.superseded), None)
    return {
        "reference": request.reference,
        "title": request.title,
        "department": request.department.name,
        "lead_academic": request.lead_academic,
        "collaboration_type": request.get_collaboration_type_display(),
        "status": STATUS_LABELS.get(request.status, request.status),
        "tier": TIER_LABELS.get(request.tier, ""),
        "partners": [str(org) for org in organisations],
        "countries": sorted({org.country for org in organisations}),
        "provinces": sorted({f"{org.city} ({org.country})" for org in organisations if org.city}),
        "sectors": sorted(sector.name for sector in request.sectors.all()),
        "disciplines": sorted(discipline.name for discipline in request.disciplines.all()),
        "funders": [source.funder_name for source in funding if source.funder_name],
        "funder_types": sorted({FUNDER_LABELS.get(s.funder_type, s.funder_type) for s in funding}),
        "funding_undisclosed": any(source.origin_undisclosed for source in funding),
        "decision": STATUS_LABELS.get(decision.outcome, decision.outcome) if decision else "",
        "created_at": request.created_at,
        "submitted_at": request.submitted_at,
        "decided_at": request.decided_at,
        "next_review_date": request.next_review_date,
        "reviewer": _person(recommendation.recommended_by if recommendation else request.reviewer),
        "approver": _person(decision.decided_by) if decision else "",
    }


def request_records(requests: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """Yield export records, reading the requests chunk by chunk."""
    for request in export_requests_queryset(requests).iterator(chunk_size=chunk_size):
        yield request_record(request)


def _flat(record: dict, columns) -> list:
    row = []
    for key, _heading in columns:
        value = record[key]
        if isinstance(value, list):
            value = _joined(value)
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        row.append(value)
    return row


def request_rows(requests: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[list]:
    for record in request_records(requests, chunk_size=chunk_size):
        yield _flat(record, REQUEST_COLUMNS)


def partner_rows(requests: QuerySet, *, chunk_size: int = CHUNK_SIZE * 4) -> Iterator[list]:
    """One row per partner of the exported requests."""
    partners = (
        Partner.objects.filter(request__in=requests.values("pk"))
        .select_related("organisation", "request")
        .order_by("request__created_at", "request_id", "id")
    )
    for partner in partners.iterator(chunk_size=chunk_size):
        org = partner.organisation
        yield [
            partner.request.reference,
            org.name,
            org.name_native,
            org.country,
            org.city,
            org.get_org_type_display(),
            partner.role,
        ]


def export_events(*, requests: QuerySet | None = None, period: DateRange | None = None) -> QuerySet:
    """Audit events in the period; only those about the given requests when requests are given."""
    events = AuditEvent.objects.select_related("request").order_by("id")
    if requests is not None:
        events = events.filter(request__in=requests.values("pk"))
    return (period or DateRange()).filter(events, "at")


def event_rows(events: QuerySet, *, chunk_size: int = CHUNK_SIZE * 4) -> Iterator[list]:
    for event in events.iterator(chunk_size=chunk_size):
        yield [
            event.id,
            event.at,
            event.actor_name or "system",
            event.action,
            event.request.reference if event.request else "",
            event.summary,
            event.ip_address or "",
            event.hash,
            event.previous_hash,
        ]


def _headings(columns) -> list[str]:
    return [heading for _key, heading in columns]


def export_csv(requests: QuerySet) -> Iterator[str]:
    """The request sheet as CSV text chunks (UTF-8 BOM first, formulas neutralised)."""
    return stream_csv(_headings(REQUEST_COLUMNS), request_rows(requests))


def export_json(requests: QuerySet, *, meta: dict) -> Iterator[str]:
    """The requests as one JSON document, lists kept as arrays, streamed record by record."""
    return stream_json("requests", request_records(requests), meta)


def export_xlsx(path_or_file, requests: QuerySet, *, events: QuerySet) -> None:
    """Three sheets: requests, their partners, and audit events; written in constant memory."""
    write_xlsx(
        path_or_file,
        [
            ("Requests", _headings(REQUEST_COLUMNS), request_rows(requests)),
            ("Partners", _headings(PARTNER_COLUMNS), partner_rows(requests)),
            ("Audit events", _headings(EVENT_COLUMNS), event_rows(events)),
        ],
    )


def export_meta(*, generated_by: str, filters: dict) -> dict:
    """What a JSON export says about itself: when, by whom, with which filters, at which chain head."""
    return {
        "generated_at": timezone.now(),
        "generated_by": generated_by,
        "filters": filters,
        "audit_chain_head": audit_chain_head(),
    }


def export_filename(fmt: str, *, today: date | None = None) -> str:
    return f"ukcn-requests-{(today or timezone.localdate()).isoformat()}.{fmt}"


def may_export(user) -> bool:
    """Central-office staff export everything they see; requesters only their department's."""
    return has_role(user, Role.AUDITOR, Role.REVIEWER, Role.APPROVER, Role.REQUESTER)


def portfolio_export_record(
    *,
    actor,
    fmt: str,
    requests: QuerySet,
    filters: dict,
    channel: str,
    ip: str | None = None,
) -> AuditEvent:
    """Audit an export before it is streamed: who, which format, which filters, how many rows."""
    count = requests.count()
    who = actor.get_username() if actor is not None else "the command line"
    return audit_record(
        actor=actor,
        action="export.portfolio",
        summary=f"Portfolio exported as {fmt.upper()} via {channel} by {who}: {count} requests",
        changes={"format": fmt, "rows": count, "filters": filters, "channel": channel},
        ip=ip,
    )
