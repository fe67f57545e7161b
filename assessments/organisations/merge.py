"""Merge duplicate organisations into one surviving record (the central office, in the admin)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ukcn.refusals import Refusal

from ..audit import audit_record
from ..models import (
    FundingSource,
    Organisation,
    Partner,
    ScreeningDismissal,
    ScreeningMatch,
    SubPartner,
)


@dataclass
class MergePlan:
    survivor: Organisation
    merged: list[Organisation]
    partners: int = 0
    funding_rows: int = 0
    sub_partner_links: int = 0
    matches: int = 0
    dismissals: int = 0
    children: int = 0
    aliases: list[str] = field(default_factory=list)
    identity_taken: str = ""

    def sentence(self) -> str:
        names = ", ".join(f"{o.name} (#{o.pk})" for o in self.merged)
        return (
            f"Merge {names} into {self.survivor.name} (#{self.survivor.pk}): "
            f"{self.partners} partner row(s), {self.funding_rows} funding row(s), "
            f"{self.sub_partner_links} sub-partner link(s), {self.matches} screening match(es), "
            f"{self.dismissals} dismissal(s), {self.children} child organisation(s) move; "
            f"names kept as aliases: {', '.join(self.aliases) or 'none'}"
            + (f"; ROR identity {self.identity_taken} taken over" if self.identity_taken else "")
        )


def _plan(survivor: Organisation, merged: list[Organisation]) -> MergePlan:
    ids = [o.pk for o in merged]
    if not ids or survivor.pk in ids:
        raise Refusal.invalid("Choose a surviving organisation and at least one other to merge.")
    both = set(
        Partner.objects.filter(organisation_id__in=ids).values_list("request__reference", flat=True)
    ) & set(survivor.partnerships.values_list("request__reference", flat=True))
    if both:
        raise Refusal.conflict(
            "Both are partners on the same request(s): "
            f"{', '.join(sorted(both))}. Remove one of the two partners there first.",
            code="merge_same_request",
        )
    identities = {o.identity_id for o in merged if o.identity_id} - {survivor.identity_id}
    if survivor.identity_id and identities:
        raise Refusal.conflict(
            "They are linked to different ROR identities: not duplicates.", code="merge_identities"
        )
    if len(identities) > 1:
        raise Refusal.conflict("The organisations to merge are linked to different ROR identities.")
    known = {n.casefold() for n in [survivor.name, survivor.name_native, *survivor.aliases] if n}
    aliases = []
    for org in merged:
        for name in (org.name, org.name_native, *(org.aliases or [])):
            if name and name.casefold() not in known:
                known.add(name.casefold())
                aliases.append(name)
    taken = next((o.identity for o in merged if o.identity_id), None)
    return MergePlan(
        survivor=survivor,
        merged=merged,
        partners=Partner.objects.filter(organisation_id__in=ids).count(),
        funding_rows=FundingSource.objects.filter(organisation_id__in=ids).count(),
        sub_partner_links=SubPartner.objects.filter(organisation_id__in=ids).count(),
        matches=ScreeningMatch.objects.filter(organisation_id__in=ids).count(),
        dismissals=ScreeningDismissal.objects.filter(organisation_id__in=ids).count(),
        children=Organisation.objects.filter(parent_id__in=ids).exclude(pk=survivor.pk).count(),
        aliases=aliases,
        identity_taken=taken.ror_id if taken and not survivor.identity_id else "",
    )


def organisation_merge(
    *, actor, survivor: Organisation, merged: list[Organisation], dry_run: bool, ip=None
) -> MergePlan:
    """Move partners, funding rows, sub-partner links, matches and dismissals of `merged` to
    `survivor`, keep their names as its aliases, and delete them; audited. `dry_run` only
    says what would move."""
    if not actor.has_perm("assessments.change_organisation"):
        raise Refusal.forbidden("You may not merge organisations.")
    with transaction.atomic():
        survivor = Organisation.objects.select_for_update().get(pk=survivor.pk)
        merged = list(
            Organisation.objects.select_for_update().filter(pk__in=[o.pk for o in merged])
        )
        plan = _plan(survivor, merged)
        if dry_run:
            return plan
        ids = [o.pk for o in merged]
        Partner.objects.filter(organisation_id__in=ids).update(organisation=survivor)
        FundingSource.objects.filter(organisation_id__in=ids).update(organisation=survivor)
        for link in SubPartner.objects.filter(organisation_id__in=ids):
            if SubPartner.objects.filter(partner=link.partner, organisation=survivor).exists():
                link.delete()
            else:
                SubPartner.objects.filter(pk=link.pk).update(organisation=survivor)
        for match in ScreeningMatch.objects.filter(organisation_id__in=ids):
            match.organisation = survivor
            key = match.compute_subject_key()
            clash = ScreeningMatch.objects.filter(
                request_id=match.request_id,
                subject_key=key,
                watchlist_id=match.watchlist_id,
                external_id=match.external_id,
            ).exclude(pk=match.pk)
            if clash.exists():
                match.delete()  # the survivor's own match on the same entry stands
                continue
            ScreeningMatch.objects.filter(pk=match.pk).update(
                organisation=survivor, subject_key=key
            )
        for dismissal in ScreeningDismissal.objects.filter(organisation_id__in=ids):
            same = ScreeningDismissal.objects.filter(
                organisation=survivor,
                watchlist_id=dismissal.watchlist_id,
                external_id=dismissal.external_id,
                fingerprint=dismissal.fingerprint,
            )
            if same.exists():
                dismissal.delete()
            else:
                ScreeningDismissal.objects.filter(pk=dismissal.pk).update(organisation=survivor)
        Organisation.objects.filter(parent_id__in=ids).exclude(pk=survivor.pk).update(
            parent=survivor
        )
        taken = next((o.identity for o in merged if o.identity_id), None)
        Organisation.objects.filter(pk__in=ids).update(identity=None)
        survivor.aliases = [*survivor.aliases, *plan.aliases]
        if taken is not None and not survivor.identity_id:
            survivor.identity = taken
        if survivor.parent_id in ids:
            survivor.parent = None
        survivor.needs_resolution = survivor.needs_resolution and survivor.identity_id is None
        survivor.save()
        audit_record(
            actor=actor,
            action="organisation.merged",
            summary=plan.sentence(),
            obj=survivor,
            changes={
                "merged": [{"id": o.pk, "name": o.name} for o in merged],
                "aliases": plan.aliases,
                "partners": plan.partners,
                "funding_rows": plan.funding_rows,
                "sub_partner_links": plan.sub_partner_links,
                "matches": plan.matches,
                "dismissals": plan.dismissals,
                "identity_taken": plan.identity_taken,
            },
            ip=ip,
        )
        Organisation.objects.filter(pk__in=ids).delete()
    from .resolve import forget_index

    forget_index()
    return plan
