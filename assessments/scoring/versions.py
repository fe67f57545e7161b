"""The scoring policy's versions: publishing a new one, loading the default from the repo."""

import hashlib
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from ..audit import audit_record
from ..models import ChecklistItem, ScoringPolicy
from .points import PolicyError, policy_validate

POLICY_FILE = Path(settings.BASE_DIR) / "assessments" / "data" / "scoring_policy.yaml"


def scoring_policy_active() -> ScoringPolicy | None:
    return ScoringPolicy.objects.filter(is_active=True).first()


def scoring_policy_publish(
    *,
    data: dict,
    actor,
    source: str,
    name: str = "",
    note: str = "",
    source_sha256: str = "",
) -> ScoringPolicy:
    """Validate the data and make it the active policy as a new version; older ones stay."""
    policy_validate(data)
    with transaction.atomic():
        latest = ScoringPolicy.objects.select_for_update().order_by("-number").first()
        previous = ScoringPolicy.objects.filter(is_active=True).first()
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        policy = ScoringPolicy.objects.create(
            number=(latest.number + 1) if latest else 1,
            name=(name or str(data.get("name") or "Scoring policy"))[:200],
            data=data,
            note=note[:500],
            source=source[:300],
            source_sha256=source_sha256,
            is_active=True,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="scoring_policy.published",
            summary=f"Scoring policy version {policy.number} published from {source}",
            obj=policy,
            changes={
                "number": policy.number,
                "replaces": previous.number if previous else None,
                "note": note,
            },
        )
    return policy


def scoring_policy_load(*, data: bytes, source: str, actor=None) -> ScoringPolicy | None:
    """Publish the policy file unless it is the file last loaded; None when nothing changed."""
    digest = hashlib.sha256(data).hexdigest()
    latest_from_file = ScoringPolicy.objects.exclude(source_sha256="").order_by("-number").first()
    if latest_from_file is not None and latest_from_file.source_sha256 == digest:
        return None
    try:
        content = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise PolicyError([f"The policy file is not valid YAML: {exc}"]) from None
    return scoring_policy_publish(
        data=content, actor=actor, source=source, source_sha256=digest, note="Loaded from file"
    )


def policy_controls_missing() -> list[str]:
    """The active policy's controls that are not checklist items in use (none for schema 1)."""
    active = scoring_policy_active()
    controls = (active.data.get("controls") or {}) if active else {}
    in_use = set(ChecklistItem.objects.filter(is_active=True).values_list("ref_id", flat=True))
    return sorted(set(controls) - in_use)
