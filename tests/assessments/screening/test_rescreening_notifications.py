"""Re-screening alerts raised by a new watchlist version reach the central office, never requesters."""

from assessments import workflow
from assessments.models import (
    Notification,
    NotificationKind,
    Organisation,
    RequestStatus,
    ScreeningAlert,
    Watchlist,
)
from assessments.watchlists.loader import watchlist_import
from tests.assessments.request_factories import advance, make_request

HEADER = b"id,name,aliases,country,risk_level,categories,notes,source_url\n"
V1 = HEADER + b"nudt,National University of Defense Technology,NUDT,CN,very_high,Military,,\n"
V2 = V1 + b"heu,Harbin Engineering University,HEU,CN,very_high,Seven Sons,,\n"


def partner_request(requester, name):
    organisation = Organisation.objects.create(name=name, country="CN")
    return make_request(
        requester, partners=[workflow.PartnerInput(organisation=organisation, role="Co-lead")]
    )


def alerts_to() -> dict[str, set[str]]:
    """Who was told about a re-screening alert, by request reference in the title."""
    told: dict[str, set[str]] = {}
    for note in Notification.objects.filter(kind=NotificationKind.RESCREENING_ALERT):
        reference = note.title.removeprefix("Re-screening alert on ")
        told.setdefault(reference, set()).add(note.recipient.username)
    return told


def test_a_new_watchlist_version_alerts_the_requests_reviewer_and_never_a_requester(
    requester, other_requester, reviewer, second_reviewer, django_capture_on_commit_callbacks
):
    watchlist = Watchlist.objects.create(name="Internal list", format="csv")
    watchlist_import(watchlist=watchlist, data=V1, source="v1.csv", importer="csv")
    taken = partner_request(requester, "Harbin Engineering University")
    advance(taken, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    queued = partner_request(other_requester, "Harbin Engineering University (HEU)")
    workflow.request_submit(actor=other_requester, request=queued)
    unlisted = partner_request(requester, "Tsinghua University")
    advance(unlisted, to=RequestStatus.UNDER_REVIEW, requester=requester, reviewer=reviewer)
    assert not ScreeningAlert.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        watchlist_import(watchlist=watchlist, data=V2, source="v2.csv", importer="csv")

    assert set(ScreeningAlert.objects.values_list("request__reference", flat=True)) == {
        taken.reference,
        queued.reference,
    }
    assert alerts_to() == {
        # Taken into review: its reviewer alone.
        taken.reference: {reviewer.username},
        # Nobody has taken it yet: the reviewers' queue.
        queued.reference: {reviewer.username, second_reviewer.username},
    }
    requesters = {requester.pk, other_requester.pk}
    alerts = Notification.objects.filter(kind=NotificationKind.RESCREENING_ALERT)
    assert not alerts.filter(recipient_id__in=requesters).exists()
    note = alerts.get(recipient=reviewer, title__endswith=taken.reference)
    assert "Harbin Engineering University" in note.body
    assert note.link == taken.get_absolute_url()
