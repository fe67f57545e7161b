"""What the organisation page shows besides its requests."""

from django.db.models import Max

from ukcn.roles import sees_all_departments

from ..models import Condition, MatchStatus, Partner, ScreeningDismissal, ScreeningMatch
from ..screening.service import organisation_names, screen_name


def current_screening(organisation) -> list[dict]:
    """The organisation's names screened now against every active list: best per entry."""
    best: dict = {}
    for name in organisation_names(organisation):
        result = screen_name(name, country=organisation.country, org_type=organisation.org_type)
        for match in result["matches"]:
            key = (match["list"], match["entry_id"])
            if key not in best or match["score"] > best[key]["score"]:
                best[key] = {**match, "screened_name": name}
    return sorted(best.values(), key=lambda m: (-m["score"], m["name"]))


def organisation_page(organisation, *, user, requests) -> dict:
    identity = organisation.identity
    request_ids = list(requests.values_list("id", flat=True))
    decided = (
        ScreeningMatch.objects.filter(organisation=organisation, request_id__in=request_ids)
        .exclude(status=MatchStatus.POTENTIAL)
        .select_related("watchlist", "reviewer", "request", "partner__organisation")
        .order_by("-decided_at", "-id")
    )
    last_check = Partner.objects.filter(
        organisation=organisation, request_id__in=request_ids
    ).aggregate(at=Max("screened_at"))["at"]
    names = []
    if identity is not None:
        names = [n for n in identity.names if n.get("value")]
    return {
        "identity": identity,
        "ror_names": names,
        "ancestors": organisation.ancestors(),
        "children": list(organisation.children.order_by("name")),
        "current_matches": current_screening(organisation),
        "decided_matches": list(decided),
        # Remembered dismissals say nothing of which request: central roles see them all.
        "dismissals": list(
            ScreeningDismissal.objects.filter(organisation=organisation).select_related(
                "watchlist", "dismissed_by"
            )
        )
        if sees_all_departments(user)
        else [],
        "conditions": list(
            Condition.objects.filter(
                request_id__in=request_ids,
                status__in=[Condition.Status.OPEN, Condition.Status.OVERDUE],
            ).select_related("request", "owner")
        ),
        "last_check": last_check,
    }
