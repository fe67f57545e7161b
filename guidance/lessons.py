"""Lessons learned: a reviewer's note on a decided request becomes a draft case study."""

import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.audit import audit_record
from assessments.models import PartnershipRequest
from assessments.workflow.rules import refuse_role
from ukcn.refusals import Refusal

from .models import GuidanceItem, Kind, SourceOrganisation, Status, Topic, new_ref_id

MAX_LESSON_LENGTH = 5000
LESSONS_TOPIC = "Lessons learned"


def _person_names(users) -> set[str]:
    names = set()
    for user in users:
        if user is None:
            continue
        full = user.get_full_name()
        names.update({full, user.first_name, user.last_name, user.username})
    return names


def request_identifiers(request: PartnershipRequest, extra_users=()) -> list[tuple[str, str]]:
    """Strings that would identify the request, with the placeholder each becomes."""
    found: list[tuple[str, str]] = [
        (request.reference, "[reference]"),
        (request.title, "[project]"),
    ]
    for partner in request.partners.select_related("organisation"):
        found += [
            (partner.organisation.name, "[partner]"),
            (partner.organisation.name_native, "[partner]"),
        ]
    for funding in request.funding_sources.all():
        found.append((funding.funder_name, "[funder]"))
    people = {request.lead_academic, request.lead_academic_email}
    people |= set(request.lead_academic.split())
    people |= _person_names([request.created_by, request.reviewer, *extra_users])
    people |= _person_names(d.decided_by for d in request.decisions.select_related("decided_by"))
    people |= _person_names(
        r.recommended_by for r in request.recommendations.select_related("recommended_by")
    )
    # Titles and initials are not names; very short fragments would mangle ordinary words.
    found += [(name, "[person]") for name in people if name and len(name.strip(" .")) >= 3]
    # Longest first, so a full name is replaced before its surname alone.
    return sorted({(s.strip(), p) for s, p in found if s and s.strip()}, key=lambda x: -len(x[0]))


def anonymise_text(text: str, identifiers: list[tuple[str, str]]) -> str:
    """Replace every identifying string, whole words only, ignoring case."""
    for value, placeholder in identifiers:
        pattern = re.compile(rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE)
        text = pattern.sub(placeholder, text)
    return text


def lesson_submit(
    *, request: PartnershipRequest, author, text: str, anonymise: bool
) -> GuidanceItem:
    """Turn a reviewer's lesson on a decided request into a draft case study for editors."""
    refuse_role(author, "write_lesson")
    if not request.is_decided:
        raise Refusal.conflict("Lessons are written once a request is decided.", code="not_decided")
    text = (text or "").strip()
    if not text:
        raise Refusal.invalid(
            "Write the lesson first.", code="required", fields={"text": "Write the lesson first."}
        )
    if len(text) > MAX_LESSON_LENGTH:
        message = f"Keep the lesson under {MAX_LESSON_LENGTH} characters."
        raise Refusal.invalid(message, code="max_length", fields={"text": message})
    tier = request.get_tier_display() or "unscored"
    countries = sorted(
        {p.organisation.country for p in request.partners.select_related("organisation")}
    )
    if anonymise:
        text = anonymise_text(text, request_identifiers(request, extra_users=[author]))
        title = f"Lesson learned: a {tier.lower()}-risk partnership ({timezone.localdate():%B %Y})"
    else:
        title = f"Lesson learned from {request.reference}: {request.title}"[:200]
    body = (
        f"{text}\n\n---\n\n"
        f"*Outcome:* {request.get_status_display()}. *Risk tier:* {tier}. "
        f"*Partner countries:* {', '.join(countries) or 'not recorded'}."
    )
    with transaction.atomic():
        ref_id = new_ref_id()
        item = GuidanceItem(
            ref_id=ref_id,
            source_institution=settings.GUIDANCE_INSTITUTION,
            title=title[:200],
            slug=f"{slugify(title)[:180]}-{ref_id.lower()}",
            summary=text.splitlines()[0][:300],
            body=body,
            kind=Kind.CASE_STUDY,
            source_organisation=SourceOrganisation.INSTITUTION,
            countries=countries,
            status=Status.DRAFT,
            # Names stay inside the institution: only anonymised lessons may go to peers.
            share_with_peers=anonymise,
            owner=None if anonymise else author,
        )
        item._change_reason = "guidance.lesson"
        item.save()
        item.sectors.set(request.sectors.all())
        topic, _ = Topic.objects.get_or_create(
            name=LESSONS_TOPIC, defaults={"slug": slugify(LESSONS_TOPIC)}
        )
        item.topics.add(topic)
        audit_record(
            actor=author,
            action="guidance.lesson_submit",
            summary=f"Lesson learned drafted as {item.ref_id} (anonymised: {anonymise})",
            obj=item,
            request=request,
            changes={"anonymised": anonymise},
        )
    return item
