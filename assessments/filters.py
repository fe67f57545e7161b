"""Narrowing the request list by the filter form's cleaned values."""

from django.db.models import Exists, OuterRef, Q

from .models import Partner


def requests_filter(queryset, filters: dict):
    """Apply the request list's filters; each is optional and they combine with AND."""
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if tier := filters.get("tier"):
        queryset = queryset.filter(tier="" if tier == "none" else tier)
    if country := filters.get("country"):
        # EXISTS rather than a join: no duplicate rows, no DISTINCT needed.
        queryset = queryset.filter(
            Exists(Partner.objects.filter(request=OuterRef("pk"), organisation__country=country))
        )
    if sector := filters.get("sector"):
        queryset = queryset.filter(
            Exists(
                queryset.model.sectors.through.objects.filter(
                    partnershiprequest_id=OuterRef("pk"), sector=sector
                )
            )
        )
    if department := filters.get("department"):
        queryset = queryset.filter(department=department)
    if created_from := filters.get("created_from"):
        queryset = queryset.filter(created_at__date__gte=created_from)
    if created_to := filters.get("created_to"):
        queryset = queryset.filter(created_at__date__lte=created_to)
    if text := (filters.get("q") or "").strip():
        partner_match = Partner.objects.filter(request=OuterRef("pk")).filter(
            Q(organisation__name__icontains=text) | Q(organisation__name_native__icontains=text)
        )
        queryset = queryset.filter(
            Q(reference__icontains=text)
            | Q(title__icontains=text)
            | Q(summary__icontains=text)
            | Q(lead_academic__icontains=text)
            | Exists(partner_match)
        )
    return queryset
