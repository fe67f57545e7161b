"""Who sees which guidance, and the lookups views and template tags share."""

from django.db import connection
from django.db.models import Q

from ukcn.roles import Role, has_role

from .models import GuidanceItem, Status


def is_guidance_editor(user) -> bool:
    return has_role(user, Role.GUIDANCE_EDITOR)


def sees_guidance_history(user) -> bool:
    """Editors curate it, auditors check it: both may read every earlier version."""
    return has_role(user, Role.GUIDANCE_EDITOR, Role.AUDITOR)


def visible_guidance(user):
    """Readers see published items; editors and admins also see drafts and archived ones."""
    items = GuidanceItem.objects.all()
    if is_guidance_editor(user):
        return items
    return items.filter(status=Status.PUBLISHED)


def json_list_has(field: str, code: str) -> Q:
    """Items whose JSON list field holds the code (containment where the database has it)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [code]})
    # SQLite has no JSON containment lookup; codes are plain words, so a quoted match is exact.
    return Q(**{f"{field}__icontains": f'"{code}"'})


def related_guidance(item: GuidanceItem, *, user, limit: int = 6):
    """Other visible items sharing a topic, sector, checklist item or factor with this one."""
    links = Q(pk__in=[])
    if topics := list(item.topics.values_list("pk", flat=True)):
        links |= Q(topics__in=topics)
    if sectors := list(item.sectors.values_list("pk", flat=True)):
        links |= Q(sectors__in=sectors)
    if checklist := list(item.checklist_items.values_list("pk", flat=True)):
        links |= Q(checklist_items__in=checklist)
    for code in item.factors:
        links |= json_list_has("factors", code)
    candidates = (
        visible_guidance(user)
        .filter(links)
        .exclude(pk=item.pk)
        .exclude(status=Status.ARCHIVED)
        .values_list("pk", flat=True)
        .distinct()
    )
    return GuidanceItem.objects.filter(pk__in=list(candidates)).order_by("title")[:limit]


def guidance_filter(queryset, data: dict, *, editor: bool = False):
    """Guidance narrowed by the filters a reader chose (kind, topic, risk area, sector, source,
    audience; editors also by status, archived items hidden unless asked for). The guidance
    pages and the API both filter here."""
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("topic"):
        queryset = queryset.filter(topics=data["topic"])
    if data.get("risk"):
        queryset = queryset.filter(json_list_has("risk_areas", data["risk"]))
    if data.get("sector"):
        queryset = queryset.filter(sectors=data["sector"])
    if data.get("source"):
        queryset = queryset.filter(source_organisation=data["source"])
    if data.get("audience"):
        queryset = queryset.filter(json_list_has("audience", data["audience"]))
    if editor:
        status = data.get("status")
        queryset = (
            queryset.filter(status=status) if status else queryset.exclude(status=Status.ARCHIVED)
        )
    return queryset.distinct()
