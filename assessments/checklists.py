"""The checklist as versioned reference data: loading it, freezing versions, saving answers."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from ukcn.refusals import Refusal, refuse

from .audit import audit_record
from .models import (
    Answer,
    Attachment,
    ChecklistAnswer,
    ChecklistGroup,
    ChecklistItem,
    ChecklistVersion,
    PartnershipRequest,
)

CHECKLIST_FILE = Path(settings.BASE_DIR) / "assessments" / "data" / "checklist.yaml"
ITEM_FIELDS = ("group", "question", "help_text", "weight", "evidence_required")
# Answers that claim good practice is in place, and so must show evidence when required.
CLAIMS = frozenset({Answer.MET, Answer.PARTLY_MET})


class ChecklistFileError(ValueError):
    """The checklist file cannot be loaded; nothing was changed."""


@dataclass(frozen=True)
class ChecklistLoadReport:
    created: int
    updated: int
    retired: int
    version: ChecklistVersion | None
    unchanged: bool = False


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parse_item(position: int, raw) -> dict:
    where = f"item {position}"
    if not isinstance(raw, dict):
        raise ChecklistFileError(f"{where} is not a mapping of ref_id, group, question, ...")
    ref_id = str(raw.get("ref_id", "")).strip()
    where = f"item {position} ({ref_id or 'no ref_id'})"
    unknown = set(raw) - {"ref_id", *ITEM_FIELDS}
    if unknown:
        raise ChecklistFileError(f"{where}: unknown keys {', '.join(sorted(unknown))}.")
    if not ref_id or len(ref_id) > 20:
        raise ChecklistFileError(f"{where}: ref_id is required, at most 20 characters.")
    if raw.get("group") not in ChecklistGroup.values:
        raise ChecklistFileError(
            f"{where}: group must be one of {', '.join(ChecklistGroup.values)}."
        )
    question = str(raw.get("question") or "").strip()
    if not question or len(question) > 500:
        raise ChecklistFileError(f"{where}: question is required, at most 500 characters.")
    weight = raw.get("weight", 1)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 5:
        raise ChecklistFileError(f"{where}: weight must be a whole number from 1 to 5.")
    evidence = raw.get("evidence_required", False)
    if not isinstance(evidence, bool):
        raise ChecklistFileError(f"{where}: evidence_required must be true or false.")
    return {
        "ref_id": ref_id,
        "group": raw["group"],
        "question": question,
        "help_text": str(raw.get("help_text") or "").strip(),
        "weight": weight,
        "evidence_required": evidence,
        "order": position,
    }


def checklist_file_parse(data: bytes) -> list[dict]:
    """Parse and validate the checklist YAML; raise ChecklistFileError with the first problem."""
    try:
        content = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise ChecklistFileError(f"The checklist file is not valid YAML: {exc}") from None
    if not isinstance(content, dict) or not isinstance(content.get("items"), list):
        raise ChecklistFileError("The checklist file must have a list under 'items'.")
    items = [_parse_item(position, raw) for position, raw in enumerate(content["items"], 1)]
    seen = set()
    for item in items:
        if item["ref_id"] in seen:
            raise ChecklistFileError(f"ref_id {item['ref_id']} appears more than once.")
        seen.add(item["ref_id"])
    if not items:
        raise ChecklistFileError("The checklist file has no items.")
    return items


def _snapshot_items() -> list[dict]:
    return [
        {"ref_id": item.ref_id, **{name: getattr(item, name) for name in ITEM_FIELDS}}
        for item in ChecklistItem.objects.filter(is_active=True).order_by("order", "ref_id")
    ]


def checklist_item_save(*, item, changed: dict, created: bool, actor, ip: str | None = None):
    """Save an item edited by hand (the admin) and freeze the checklist as a new version; both,
    and the audit event, in one transaction."""
    with transaction.atomic():
        item.save()
        audit_record(
            actor=actor,
            action="checklist.item_created" if created else "checklist.item_changed",
            summary=f"Checklist item {item.ref_id} {'created' if created else 'changed'} in the admin",
            obj=item,
            changes=changed,
            ip=ip,
        )
        checklist_version_snapshot(actor=actor, source="admin")
    return item


def checklist_version_current() -> ChecklistVersion | None:
    return ChecklistVersion.objects.order_by("-number").first()


def checklist_version_snapshot(
    *, actor, source: str, source_sha256: str = ""
) -> ChecklistVersion | None:
    """Freeze the items in use as a new version, unless they equal the latest version's."""
    items = _snapshot_items()
    digest = _sha256(json.dumps(items, sort_keys=True, ensure_ascii=False).encode())
    with transaction.atomic():
        latest = ChecklistVersion.objects.select_for_update().order_by("-number").first()
        if latest is not None and latest.sha256 == digest:
            if source_sha256 and latest.source_sha256 != source_sha256:
                latest.source_sha256 = source_sha256
                latest.save(update_fields=["source_sha256"])
            return None
        version = ChecklistVersion.objects.create(
            number=(latest.number + 1) if latest else 1,
            items=items,
            sha256=digest,
            source=source,
            source_sha256=source_sha256,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="checklist.version_created",
            summary=f"Checklist version {version.number} created from {source} ({len(items)} items)",
            obj=version,
            changes={"number": version.number, "sha256": digest},
        )
    return version


def checklist_load(*, data: bytes, source: str, actor=None) -> ChecklistLoadReport:
    """Apply the checklist file: create and update items by ref_id, retire the ones it dropped."""
    items = checklist_file_parse(data)
    file_hash = _sha256(data)
    latest_from_file = (
        ChecklistVersion.objects.exclude(source_sha256="").order_by("-number").first()
    )
    if latest_from_file is not None and latest_from_file.source_sha256 == file_hash:
        # Admin edits made since then stand until the file itself changes.
        return ChecklistLoadReport(0, 0, 0, None, unchanged=True)
    created = updated = retired = 0
    with transaction.atomic():
        existing = {item.ref_id: item for item in ChecklistItem.objects.select_for_update()}
        for values in items:
            item = existing.pop(values["ref_id"], None)
            wanted = {**{name: values[name] for name in (*ITEM_FIELDS, "order")}, "is_active": True}
            if item is None:
                ChecklistItem.objects.create(ref_id=values["ref_id"], **wanted)
                created += 1
            elif any(getattr(item, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(item, name, value)
                item.save()
                updated += 1
        for item in existing.values():
            if item.is_active:
                item.is_active = False
                item.save()
                retired += 1
        version = checklist_version_snapshot(actor=actor, source=source, source_sha256=file_hash)
    return ChecklistLoadReport(created, updated, retired, version)


def checklist_version_for_request(request: PartnershipRequest) -> ChecklistVersion | None:
    """The version a request was answered against, or the current one if not answered yet."""
    answer = request.checklist_answers.select_related("checklist_version").first()
    return answer.checklist_version if answer else checklist_version_current()


def checklist_answer_validate(
    *, answer: str, evidence_required: bool, evidence_notes: str, explanation: str
) -> dict[str, str]:
    """The problems with one answer, by field name; empty when it may be saved."""
    errors = {}
    if answer == Answer.UNSURE and not explanation.strip():
        errors["explanation"] = (
            "Explain why you are unsure: it counts as not met until it is resolved."
        )
    if answer == Answer.NOT_APPLICABLE and not explanation.strip():
        errors["explanation"] = "Explain why this practice does not apply to this request."
    if evidence_required and answer in CLAIMS and not evidence_notes.strip():
        errors["evidence_notes"] = (
            "This item needs evidence: say what shows the practice is in place."
        )
    return errors


@dataclass(frozen=True)
class AnswerInput:
    """One item's answer as a reviewer gave it; an empty answer means not answered."""

    ref_id: str
    answer: str
    evidence_notes: str = ""
    explanation: str = ""
    attachment: Attachment | None = None


def _answer_changes(existing: ChecklistAnswer | None, given: AnswerInput) -> dict:
    before = (
        {
            "answer": existing.answer,
            "evidence_notes": existing.evidence_notes,
            "explanation": existing.explanation,
            "attachment": existing.attachment_id,
        }
        if existing
        else {}
    )
    after = (
        {
            "answer": given.answer,
            "evidence_notes": given.evidence_notes.strip(),
            "explanation": given.explanation.strip(),
            "attachment": given.attachment.pk if given.attachment else None,
        }
        if given.answer
        else {}
    )
    return {} if before == after else {"from": before, "to": after}


def checklist_revision(request: PartnershipRequest) -> int:
    """The revision of a request's checklist answers: every answer changed (web or API) writes
    one `checklist.answered` audit event, and the trail is append-only, so the count only grows."""
    from .models import AuditEvent

    return AuditEvent.objects.filter(request=request, action="checklist.answered").count()


def _answers_invalid(message: str) -> Refusal:
    return Refusal.invalid(message, fields={"answers": message})


def checklist_answers_save(
    *,
    request: PartnershipRequest,
    actor,
    answers: list[AnswerInput],
    version: int | None = None,
    ip: str | None = None,
) -> int:
    """Save a reviewer's answers against the request's checklist version; return how many changed.

    Refuses (a `Refusal`) a user who may not answer this request's checklist now, answers that
    do not fit the checklist, and — when `version` (the `checklist_revision` the caller read) is
    given — a save over answers someone else changed since."""
    from .workflow.rules import checklist_answer_refusal, refuse_role

    refuse_role(actor, "answer_checklist")
    checklist = checklist_version_for_request(request)
    if checklist is None:
        raise Refusal.conflict(
            "No checklist has been loaded yet: run manage.py load_checklist.", code="no_checklist"
        )
    items = {item["ref_id"]: item for item in checklist.items}
    changed = 0
    with transaction.atomic():
        # Checked on the locked row, so a request decided meanwhile is not answered, and one
        # save of a request's answers at a time, so the version check holds.
        locked = PartnershipRequest.objects.select_for_update().get(pk=request.pk)
        refuse(checklist_answer_refusal(actor, locked))
        if version is not None:
            current = checklist_revision(request)
            if version != current:
                raise Refusal.conflict(
                    "The checklist changed since you read it: read it again.",
                    code="version_conflict",
                    extra={"current_version": current},
                )
        existing = {
            answer.ref_id: answer
            for answer in ChecklistAnswer.objects.select_for_update().filter(request=request)
        }
        for given in answers:
            item = items.get(given.ref_id)
            if item is None:
                raise _answers_invalid(
                    f"{given.ref_id} is not in checklist version {checklist.number}."
                )
            if given.answer and given.answer not in Answer.values:
                raise _answers_invalid(f"{given.answer!r} is not an answer.")
            if given.attachment is not None and given.attachment.request_id != request.pk:
                raise _answers_invalid("Evidence must be one of this request's attachments.")
            errors = checklist_answer_validate(
                answer=given.answer,
                evidence_required=item["evidence_required"],
                evidence_notes=given.evidence_notes,
                explanation=given.explanation,
            )
            if errors:
                raise _answers_invalid(f"{given.ref_id}: {' '.join(errors.values())}")
            current = existing.get(given.ref_id)
            changes = _answer_changes(current, given)
            if not changes:
                continue
            if not given.answer:
                current.delete()
            else:
                ChecklistAnswer.objects.update_or_create(
                    request=request,
                    ref_id=given.ref_id,
                    defaults={
                        "checklist_version": checklist,
                        "answer": given.answer,
                        "evidence_notes": given.evidence_notes.strip(),
                        "explanation": given.explanation.strip(),
                        "attachment": given.attachment,
                        "answered_by": actor,
                    },
                )
            changed += 1
            audit_record(
                actor=actor,
                action="checklist.answered",
                summary=f"{given.ref_id} answered "
                f"{Answer(given.answer).label.lower() if given.answer else 'blank'} "
                f"on {request.reference}",
                request=request,
                changes={"ref_id": given.ref_id, **changes},
                ip=ip,
            )
    return changed
