"""Merging duplicate organisations in the admin: dry run first, then an audited merge."""

from assessments.models import AuditEvent, FundingSource, Organisation, ScreeningMatch
from assessments.screening.service import screen_request


def _admin_post(client, ids, **extra):
    return client.post(
        "/admin/assessments/organisation/",
        {"action": "merge_selected", "_selected_action": [str(i) for i in ids], **extra},
    )


def test_a_dry_run_shows_what_would_move_and_the_merge_moves_it(
    aspi, make_request, reviewer, admin_user, client
):
    first = make_request("Beihang University")
    survivor = first.partners.get().organisation
    second = make_request("北京航空航天大学")
    duplicate = second.partners.get().organisation
    FundingSource.objects.create(
        request=first, funder_name="BUAA", organisation=duplicate, funder_type="other"
    )
    screen_request(request=second, actor=reviewer)
    client.force_login(admin_user)
    page = _admin_post(
        client, [survivor.pk, duplicate.pk], survivor=survivor.pk, merge_step="dry_run"
    )
    text = page.content.decode()
    assert "1 partner row(s), 1 funding row(s)" in text
    assert "names kept as aliases: 北京航空航天大学" in text
    assert Organisation.objects.filter(pk=duplicate.pk).exists()  # nothing moved yet

    _admin_post(client, [survivor.pk, duplicate.pk], survivor=survivor.pk, merge_step="apply")
    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    survivor.refresh_from_db()
    assert "北京航空航天大学" in survivor.aliases
    assert second.partners.get().organisation == survivor
    assert first.funding_sources.get().organisation == survivor
    assert set(ScreeningMatch.objects.values_list("organisation_id", flat=True)) == {survivor.pk}
    assert "Merge 北京航空航天大学" in AuditEvent.objects.get(action="organisation.merged").summary


def test_partners_on_the_same_request_are_refused(make_request, admin_user, client):
    request = make_request("Beihang University", "BUAA")
    a, b = (p.organisation for p in request.partners.all())
    client.force_login(admin_user)
    page = _admin_post(client, [a.pk, b.pk], survivor=a.pk, merge_step="apply")
    assert "Both are partners on the same request(s)" in page.content.decode()
    assert Organisation.objects.filter(pk=b.pk).exists()
