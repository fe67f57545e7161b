"""State changes on guidance: publish, archive, mark reviewed, resolve conflicts. Each is audited."""

import datetime

from django.db import transaction
from django.utils import timezone

from assessments.audit import audit_record

from .feed import item_apply_payload, payload_from_json
from .models import GuidanceItem, Status, SyncConflict


def _set_status(*, items, actor, status: str, action: str, ip: str | None) -> int:
    changed = 0
    with transaction.atomic():
        for item in items.select_for_update().exclude(status=status):
            previous = item.status
            item.status = status
            if status == Status.PUBLISHED and item.published_at is None:
                item.published_at = timezone.now()
            item._change_reason = action
            item.save()
            audit_record(
                actor=actor,
                action=action,
                summary=f"{item.ref_id} {item.title}: {previous} to {status}",
                obj=item,
                changes={"status": [previous, status]},
                ip=ip,
            )
            changed += 1
    return changed


def guidance_item_save(*, item: GuidanceItem, created: bool, changed: list[str], actor, ip=None):
    """Save an item written or edited by hand (the admin): a new one is this institution's and
    its writer's; audited, and its history records why it changed."""
    from django.conf import settings

    if created:
        item.source_institution = settings.GUIDANCE_INSTITUTION
        item.owner = item.owner or actor
    item._change_reason = "guidance.change" if not created else "guidance.create"
    with transaction.atomic():
        item.save()
        audit_record(
            actor=actor,
            action=item._change_reason,
            summary=f"{item.ref_id} {item.title}: {'created' if created else 'changed'}",
            obj=item,
            changes={"fields": sorted(changed)},
            ip=ip,
        )
    return item


def guidance_items_delete(*, items, actor, ip=None) -> int:
    """Delete guidance items (the admin), each audited in the same transaction."""
    items = list(items)
    with transaction.atomic():
        for item in items:
            audit_record(
                actor=actor,
                action="guidance.delete",
                summary=f"{item.ref_id} {item.title}: deleted",
                obj=item,
                ip=ip,
            )
            item.delete()
    return len(items)


def guidance_publish(*, items, actor, ip: str | None = None) -> int:
    """Publish the items that are not already published; returns how many changed."""
    return _set_status(
        items=items, actor=actor, status=Status.PUBLISHED, action="guidance.publish", ip=ip
    )


def guidance_archive(*, items, actor, ip: str | None = None) -> int:
    """Archive the items: readers no longer see them; returns how many changed."""
    return _set_status(
        items=items, actor=actor, status=Status.ARCHIVED, action="guidance.archive", ip=ip
    )


def guidance_mark_reviewed(
    *, items, actor, review_by: datetime.date | None = None, ip: str | None = None
) -> int:
    """Record that editors checked the items: the next review falls due on review_by."""
    review_by = review_by or timezone.localdate() + datetime.timedelta(days=365)
    count = 0
    with transaction.atomic():
        for item in items.select_for_update():
            previous = item.review_by
            item.review_by = review_by
            item._change_reason = "guidance.review"
            item.save()
            audit_record(
                actor=actor,
                action="guidance.review",
                summary=f"{item.ref_id} {item.title}: reviewed, next review {review_by}",
                obj=item,
                changes={"review_by": [previous, review_by]},
                ip=ip,
            )
            count += 1
    return count


def conflict_resolve(
    *, conflict: SyncConflict, actor, take_incoming: bool, ip: str | None = None
) -> SyncConflict:
    """Close a sync conflict: take the peer's version, or keep ours and stop asking."""
    with transaction.atomic():
        conflict = SyncConflict.objects.select_for_update().get(pk=conflict.pk)
        if conflict.resolution != SyncConflict.Resolution.OPEN:
            return conflict
        item = conflict.item
        if take_incoming:
            item_apply_payload(
                item=item, payload=payload_from_json(conflict.payload), reason="guidance.sync"
            )
            conflict.resolution = SyncConflict.Resolution.TOOK_INCOMING
        else:
            conflict.resolution = SyncConflict.Resolution.KEPT_LOCAL
        # Either way this upstream version has been seen: a re-sync of it is a no-op.
        GuidanceItem.objects.filter(pk=item.pk).update(origin_payload_hash=conflict.payload_hash)
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save()
        audit_record(
            actor=actor,
            action="guidance.conflict_resolve",
            summary=f"{item.ref_id}: {conflict.get_resolution_display()}",
            obj=item,
            changes={"conflict": conflict.pk, "resolution": conflict.resolution},
            ip=ip,
        )
    return conflict
