"""Portfolio exports: one row per request (CSV, JSON, XLSX), streamed so memory stays flat.

Requests are read in chunks; their partners, sectors, funding, recommendations and decisions
are read once per chunk, so the number of queries grows with chunks, not rows.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from ukcn.roles import Role, has_role, sees_all_departments

from ..audit import audit_chain_head, audit_record
from ..models import (
    AuditEvent,
    CollaborationType,
    Decision,
    FunderType,
    FundingSource,
    OrganisationType,
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
COLLABORATION_LABELS = dict(CollaborationType.choices)
ORGANISATION_LABELS = dict(OrganisationType.choices)
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


def _person(first: str | None, last: str | None, username: str | None) -> str:
    """A user's full name, or their username, as Django's get_full_name() would give it."""
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _joined(values: Iterable[str]) -> str:
    return "; ".join(value for value in values if value)


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _batches(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _grouped(rows: Iterable[tuple]) -> dict[int, list[tuple]]:
    """Rows whose first value is a request id, grouped by it (order kept)."""
    groups: dict[int, list[tuple]] = defaultdict(list)
    for request_id, *rest in rows:
        groups[request_id].append(tuple(rest))
    return groups


_REQUEST_FIELDS = (
    "pk", "reference", "title", "department__name", "lead_academic", "collaboration_type",
    "status", "tier", "created_at", "submitted_at", "decided_at", "next_review_date",
    "reviewer__first_name", "reviewer__last_name", "reviewer__username",
)  # fmt: skip


@dataclass
class _Related:
    """Everything hanging off one chunk of requests, read in one query per relation."""

    partners: dict
    sectors: dict
    disciplines: dict
    funding: dict
    recommenders: dict
    decisions: dict

    @classmethod
    def read(cls, ids: list[int]) -> "_Related":
        through_sectors = PartnershipRequest.sectors.through.objects
        through_disciplines = PartnershipRequest.disciplines.through.objects
        recommendations = (
            Recommendation.objects.filter(request_id__in=ids)
            .order_by("request_id", "-created_at", "-id")
            .values_list(
                "request_id",
                "recommended_by__first_name",
                "recommended_by__last_name",
                "recommended_by__username",
            )
        )
        decisions = (
            Decision.objects.filter(request_id__in=ids, superseded=False)
            .order_by("request_id", "-created_at", "-id")
            .values_list(
                "request_id",
                "outcome",
                "decided_by__first_name",
                "decided_by__last_name",
                "decided_by__username",
            )
        )
        return cls(
            partners=_grouped(
                Partner.objects.filter(request_id__in=ids)
                .order_by("id")
                .values_list(
                    "request_id",
                    "organisation__name",
                    "organisation__name_native",
                    "organisation__country",
                    "organisation__city",
                )
            ),
            sectors=_grouped(
                through_sectors.filter(partnershiprequest_id__in=ids).values_list(
                    "partnershiprequest_id", "sector__name"
                )
            ),
            disciplines=_grouped(
                through_disciplines.filter(partnershiprequest_id__in=ids).values_list(
                    "partnershiprequest_id", "discipline__name"
                )
            ),
            funding=_grouped(
                FundingSource.objects.filter(request_id__in=ids)
                .order_by("id")
                .values_list("request_id", "funder_name", "funder_type", "origin_undisclosed")
            ),
            # The newest recommendation and the newest standing decision of each request.
            recommenders={row[0]: _person(*row[1:]) for row in reversed(list(recommendations))},
            decisions={row[0]: row[1:] for row in reversed(list(decisions))},
        )


def request_record(row: tuple, related: _Related) -> dict:
    """One request as a flat export record (lists kept as lists; CSV and XLSX join them)."""
    (pk, reference, title, department, lead, kind, status, tier, created, submitted, decided,
     next_review, *reviewer) = row  # fmt: skip
    partners = related.partners.get(pk, [])
    funding = related.funding.get(pk, [])
    decision = related.decisions.get(pk)
    return {
        "reference": reference,
        "title": title,
        "department": department,
        "lead_academic": lead,
        "collaboration_type": COLLABORATION_LABELS.get(kind, kind),
        "status": STATUS_LABELS.get(status, status),
        "tier": TIER_LABELS.get(tier, ""),
        "partners": [f"{name} ({native})" if native else name for name, native, *_ in partners],
        "countries": sorted({country for _, _, country, _ in partners}),
        "provinces": sorted({f"{city} ({country})" for _, _, country, city in partners if city}),
        "sectors": sorted(name for (name,) in related.sectors.get(pk, [])),
        "disciplines": sorted(name for (name,) in related.disciplines.get(pk, [])),
        "funders": [name for name, _, _ in funding if name],
        "funder_types": sorted({FUNDER_LABELS.get(kind, kind) for _, kind, _ in funding}),
        "funding_undisclosed": any(undisclosed for _, _, undisclosed in funding),
        "decision": STATUS_LABELS.get(decision[0], decision[0]) if decision else "",
        "created_at": _local(created),
        "submitted_at": _local(submitted),
        "decided_at": _local(decided),
        "next_review_date": next_review,
        "reviewer": related.recommenders.get(pk) or _person(*reviewer),
        "approver": _person(*decision[1:]) if decision else "",
    }


def request_records(requests: QuerySet, *, chunk_size: int = CHUNK_SIZE) -> Iterator[dict]:
    """Yield export records, reading the requests and what hangs off them chunk by chunk.

    Plain tuples rather than model instances: at 10,000 rows, building and prefetching
    instances costs several times the time of the queries themselves.
    """
    rows = requests.order_by("created_at", "id").values_list(*_REQUEST_FIELDS)
    for chunk in _batches(rows.iterator(chunk_size=chunk_size), chunk_size):
        related = _Related.read([row[0] for row in chunk])
        for row in chunk:
            yield request_record(row, related)


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
        .order_by("request__created_at", "request_id", "id")
        .values_list(
            "request__reference",
            "organisation__name",
            "organisation__name_native",
            "organisation__country",
            "organisation__city",
            "organisation__org_type",
            "role",
        )
    )
    for *values, org_type, role in partners.iterator(chunk_size=chunk_size):
        yield [*values, ORGANISATION_LABELS.get(org_type, org_type), role]


def export_events(*, requests: QuerySet | None = None, period: DateRange | None = None) -> QuerySet:
    """Audit events in the period; only those about the given requests when requests are given."""
    events = AuditEvent.objects.order_by("id")
    if requests is not None:
        events = events.filter(request__in=requests.values("pk"))
    return (period or DateRange()).filter(events, "at")


def event_rows(
    events: QuerySet, *, with_ip: bool = True, chunk_size: int = CHUNK_SIZE * 4
) -> Iterator[list]:
    rows = events.values_list(
        "id", "at", "actor_name", "action", "request__reference", "summary", "ip_address", "hash",
        "previous_hash",
    )  # fmt: skip
    for event_id, at, actor, action, reference, *rest in rows.iterator(chunk_size=chunk_size):
        summary, ip, event_hash, previous = rest
        addresses = [ip or ""] if with_ip else []
        yield [event_id, _local(at), actor or "system", action, reference or "", summary,
               *addresses, event_hash, previous]  # fmt: skip


def event_columns(*, with_ip: bool = True) -> list[tuple[str, str]]:
    return [column for column in EVENT_COLUMNS if with_ip or column[0] != "ip_address"]


def export_shows_ip(user) -> bool:
    """Whether a user's exports carry the audit events' client addresses: only central office
    staff's; the request page shows them to nobody, so requesters and heads of department
    do not get colleagues' (or the central office's) addresses from a download either."""
    return sees_all_departments(user)


def _headings(columns) -> list[str]:
    return [heading for _key, heading in columns]


def export_csv(requests: QuerySet) -> Iterator[str]:
    """The request sheet as CSV text chunks (UTF-8 BOM first, formulas neutralised)."""
    return stream_csv(_headings(REQUEST_COLUMNS), request_rows(requests))


def export_json(requests: QuerySet, *, meta: dict) -> Iterator[str]:
    """The requests as one JSON document, lists kept as arrays, streamed record by record."""
    return stream_json("requests", request_records(requests), meta)


def export_xlsx(
    path_or_file, requests: QuerySet, *, events: QuerySet, with_ip: bool = True
) -> None:
    """Three sheets: requests, their partners, and audit events (their client addresses only
    `with_ip`); written in constant memory."""
    write_xlsx(
        path_or_file,
        [
            ("Requests", _headings(REQUEST_COLUMNS), request_rows(requests)),
            ("Partners", _headings(PARTNER_COLUMNS), partner_rows(requests)),
            (
                "Audit events",
                _headings(event_columns(with_ip=with_ip)),
                event_rows(events, with_ip=with_ip),
            ),
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
    """Central-office staff export everything they see; requesters and heads of department
    only their department's (visibility narrows the rows)."""
    return has_role(
        user,
        Role.AUDITOR,
        Role.REVIEWER,
        Role.APPROVER,
        Role.SENIOR_OFFICER,
        Role.REQUESTER,
        Role.HEAD_OF_DEPARTMENT,
    )


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
