"""Attachments: stored after size and type checks; every download audited."""

import hashlib
import uuid

from django.db import transaction

from ukcn.refusals import Refusal

from ..attachments import AttachmentRejected, attachment_check
from ..audit import audit_record
from ..models import (
    Attachment,
    PartnershipRequest,
)
from .rules import (
    _attach_refusal,
    _locked,
    _refuse,
)

# --- attachments -----------------------------------------------------------------------------


def attachment_add(
    *,
    actor,
    request: PartnershipRequest,
    uploaded_file,
    kind: str = Attachment.Kind.EVIDENCE,
    ip=None,
) -> Attachment:
    """Store an upload after checking its size and type (extension and content)."""
    if kind not in Attachment.Kind.values:
        raise Refusal.invalid(f"'{kind}' is not a kind of attachment.")
    size = uploaded_file.size
    uploaded_file.seek(0)
    head = uploaded_file.read(2048)
    try:
        safe_name, content_type = attachment_check(name=uploaded_file.name, size=size, head=head)
    except AttachmentRejected as exc:
        raise Refusal.invalid(str(exc), code="attachment_rejected") from None
    uploaded_file.seek(0)
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    stored = None
    try:
        with transaction.atomic():
            current = _locked(request)
            _refuse(_attach_refusal(actor, current))
            attachment = Attachment(
                request=current,
                kind=kind,
                original_name=safe_name,
                content_type=content_type,
                size=size,
                sha256=digest.hexdigest(),
                uploaded_by=actor,
            )
            # Stored under a random name: the user's filename never becomes a path on disk.
            extension = safe_name.rpartition(".")[2].lower()
            attachment.file.save(f"{uuid.uuid4().hex}.{extension}", uploaded_file, save=False)
            stored = attachment.file.name
            attachment.save()
            audit_record(
                actor=actor,
                action="attachment.added",
                summary=(
                    f"Attached {safe_name} ({attachment.get_kind_display().lower()}) "
                    f"to {current.reference}"
                ),
                obj=attachment,
                request=current,
                changes={
                    "file": [None, safe_name],
                    "size": [None, size],
                    "sha256": [None, attachment.sha256],
                },
                ip=ip,
            )
    except Exception:
        # The transaction rolled back: do not leave an orphan file on disk.
        if stored:
            Attachment._meta.get_field("file").storage.delete(stored)
        raise
    return attachment


def attachment_open(*, actor, attachment: Attachment, ip=None):
    """Record a download and return the open file; the caller has checked visibility."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="attachment.downloaded",
            summary=f"Downloaded {attachment.original_name} from {attachment.request.reference}",
            obj=attachment,
            request=attachment.request,
            ip=ip,
        )
    return attachment.file.open("rb")
