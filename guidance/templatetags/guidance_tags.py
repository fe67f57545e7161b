"""Guidance in context: short lists of published guidance next to checklist items, factors
and watchlist matches.

    {% load guidance_tags %}
    {% guidance_for_checklist_item "GP-07" %}
    {% guidance_for_factor "dual_use" %}
    {% guidance_for_factor "nsi_sector" request %}   (the request's own sectors' guidance)
    {% guidance_for_watchlist watchlist %}   (a Watchlist, or its name)
    {% guidance_for_sector sector %}         (a Sector, or its code)
"""

from django import template

from assessments.models import Sector, Watchlist
from guidance.models import GuidanceItem
from guidance.queries import json_list_has

register = template.Library()
LIMIT = 5
TEMPLATE = "guidance/partials/guidance_links.html"


def _links(items, label: str) -> dict:
    return {"items": list(items.order_by("title")[:LIMIT]), "label": label}


@register.inclusion_tag(TEMPLATE)
def guidance_for_checklist_item(ref_id: str):
    items = GuidanceItem.objects.published().filter(checklist_items__ref_id=ref_id)
    return _links(items, f"Guidance for checklist item {ref_id}")


# Factors whose guidance is about the request's own sectors, not the factor in general.
SECTOR_FACTORS = {"nsi_sector"}


@register.inclusion_tag(TEMPLATE)
def guidance_for_factor(code: str, request=None):
    """Guidance tagged with the factor; for the NSI sector factor, given the request, the
    guidance on the request's own sectors (a Synthetic Biology request links to synthetic
    biology, not to the first sectors of the alphabet)."""
    published = GuidanceItem.objects.published()
    if str(code) in SECTOR_FACTORS and request:
        sectors = request.sectors.all()
        items = published.filter(sectors__in=sectors).distinct()
        names = ", ".join(sector.name for sector in sectors)
        return _links(items, f"Guidance for {names}" if names else "Guidance for this factor")
    items = published.filter(json_list_has("factors", str(code)))
    return _links(items, "Guidance for this factor")


@register.inclusion_tag(TEMPLATE)
def guidance_for_watchlist(watchlist):
    items = GuidanceItem.objects.published()
    if isinstance(watchlist, Watchlist):
        items = items.filter(watchlists=watchlist)
    else:
        items = items.filter(watchlists__name=str(watchlist))
    return _links(items, f"Guidance about {watchlist}")


@register.inclusion_tag(TEMPLATE)
def guidance_for_sector(sector):
    code = sector.code if isinstance(sector, Sector) else str(sector)
    items = GuidanceItem.objects.published().filter(sectors__code=code)
    return _links(items, "Guidance for this sector")
