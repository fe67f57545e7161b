"""Read-only API resources: organisations, watchlists and versions, the audit trail."""

import pytest

from assessments.audit import audit_record
from assessments.models import (
    Organisation,
    Partner,
    PartnershipRequest,
    Watchlist,
    WatchlistVersion,
)


@pytest.fixture
def tsinghua(db):
    return Organisation.objects.create(
        name="Tsinghua University", name_native="清华大学", country="CN"
    )


@pytest.fixture
def engineering_request(requester, engineering, tsinghua):
    request = PartnershipRequest.objects.create(
        reference="PR-2026-0001",
        title="Battery materials",
        summary="Joint project",
        lead_academic="Dr Ellis",
        department=engineering,
        created_by=requester,
        collaboration_type="joint_project",
        work_location="both",
    )
    Partner.objects.create(request=request, organisation=tsinghua)
    return request


def test_a_reviewer_lists_every_organisation_with_native_names(client, reviewer, tsinghua):
    Organisation.objects.create(name="Zhejiang University", country="CN")
    client.force_login(reviewer)
    body = client.get("/api/v1/organisations/").json()
    assert body["count"] == 2
    assert {"Tsinghua University", "Zhejiang University"} == {o["name"] for o in body["results"]}
    assert "清华大学" in {o["name_native"] for o in body["results"]}


def test_a_requester_sees_only_organisations_in_their_departments_requests(
    client, requester, other_requester, engineering_request, tsinghua
):
    client.force_login(other_requester)
    assert client.get("/api/v1/organisations/").json()["count"] == 0
    assert client.get(f"/api/v1/organisations/{tsinghua.pk}/").status_code == 404
    client.force_login(requester)
    assert (
        client.get(f"/api/v1/organisations/{tsinghua.pk}/").json()["name"] == "Tsinghua University"
    )


def test_watchlists_show_their_active_version_and_history(client, reviewer):
    watchlist = Watchlist.objects.create(name="ASPI tracker", format="aspi")
    for number, status in [(1, "superseded"), (2, "active")]:
        WatchlistVersion.objects.create(
            watchlist=watchlist,
            number=number,
            source="tracker.csv",
            sha256=str(number) * 64,
            importer="aspi",
            importer_version="1",
            status=status,
        )
    client.force_login(reviewer)
    listed = client.get("/api/v1/watchlists/").json()["results"]
    assert listed[0]["active_version"] == 2
    assert listed[0]["legal_effect"] == "none"
    versions = client.get(f"/api/v1/watchlists/{watchlist.pk}/versions/").json()["results"]
    assert [v["number"] for v in versions] == [2, 1]


def test_only_auditors_read_the_audit_trail(client, auditor, reviewer, engineering_request):
    audit_record(
        actor=reviewer, action="test", summary="Something happened", request=engineering_request
    )
    client.force_login(reviewer)
    response = client.get("/api/v1/audit-events/")
    assert response.status_code == 403
    assert response.json()["error"] == "Only auditors may read the audit trail."
    client.force_login(auditor)
    events = client.get("/api/v1/audit-events/").json()["results"]
    assert events[-1]["summary"] == "Something happened"
    assert events[-1]["request_reference"] == "PR-2026-0001"
    assert len(events[-1]["hash"]) == 64


def test_the_api_refuses_writes_to_read_only_resources(client, auditor):
    client.force_login(auditor)
    response = client.post("/api/v1/audit-events/", {}, content_type="application/json")
    assert response.status_code == 405


def test_versions_of_an_unknown_or_absurd_watchlist_id_are_404(client, reviewer):
    client.force_login(reviewer)
    assert client.get("/api/v1/watchlists/999/versions/").status_code == 404
    huge = "/api/v1/watchlists/25826179173265396727808/versions/4865001/"
    assert client.get(huge).status_code == 404
