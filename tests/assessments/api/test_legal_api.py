"""The legal determinations over /api/v1/: the web step's permissions and refusals."""

import pytest

from assessments.gates import request_gates
from assessments.models import LegalDetermination, RequestStatus

from ..request_factories import advance, ensure_checklist_and_policy, make_request


@pytest.fixture(autouse=True)
def reference_data(db):
    ensure_checklist_and_policy()


@pytest.fixture
def pr(requester, reviewer):
    request = make_request(requester, transfers=["software"])
    advance(request, to=RequestStatus.RECOMMENDED, requester=requester, reviewer=reviewer)
    return request


def base(pr):
    return f"/api/v1/requests/{pr.reference}/legal/"


def test_reviewers_record_and_the_gate_follows(client, bearer, reviewer, pr):
    headers = bearer(reviewer)
    sections = client.get(base(pr), headers=headers).json()
    export = next(s for s in sections if s["regime"] == "export_control")
    assert (export["applies"], export["status"]) == (True, "To determine")
    response = client.post(
        f"{base(pr)}export-control/",
        {
            "outcome": "licence_required",
            "reasoning": "Encryption software, 5D.",
            "ratings": ["5D"],
            "licence_type": "ogel",
            "licence_reference": "OGEL/CRYPTO/2026/7",
        },
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    export = next(s for s in response.json() if s["regime"] == "export_control")
    assert export["status"] == "Satisfied"
    assert export["determination"]["licence_reference"] == "OGEL/CRYPTO/2026/7"
    [label] = export["determination"]["rating_labels"]
    assert label.startswith("5D — ") and label.endswith(": software")
    assert next(g for g in request_gates(pr, "decide") if g.code == "export_control").satisfied


def test_an_incomplete_determination_is_400_with_fields(client, bearer, reviewer, pr):
    response = client.post(
        f"{base(pr)}export-control/",
        {"outcome": "exempt"},
        content_type="application/json",
        headers=bearer(reviewer),
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"exemption_basis", "reasoning"}
    assert not LegalDetermination.objects.exists()


def test_requesters_and_auditors_may_not_record(client, bearer, requester, auditor, pr):
    body = {"outcome": "no_acquisition", "reasoning": "Nothing acquired."}
    for user in (requester, auditor):
        response = client.post(
            f"{base(pr)}nsi/", body, content_type="application/json", headers=bearer(user)
        )
        assert response.status_code == 403
    assert client.get(base(pr), headers=bearer(requester)).status_code == 403
    assert client.get(base(pr), headers=bearer(auditor)).status_code == 200


def test_segregation_of_duties_is_a_409(client, bearer, make_user, engineering, reviewer):
    from ukcn.roles import Role

    from ..request_factories import add_role

    both = make_user("both", Role.REQUESTER, engineering)
    add_role(both, Role.REVIEWER)
    own = make_request(both, transfers=["items"])
    advance(own, to=RequestStatus.UNDER_REVIEW, requester=both, reviewer=reviewer)
    response = client.post(
        f"{base(own)}export-control/",
        {"outcome": "not_controlled", "reasoning": "Nothing listed."},
        content_type="application/json",
        headers=bearer(both),
    )
    assert response.status_code == 409


def test_the_api_takes_and_shows_the_facts(client, bearer, requester, db):
    body = {
        "title": "Spin-out with a partner",
        "summary": "Joint spin-out.",
        "lead_academic": "Dr A",
        "collaboration_type": "joint_centre",
        "work_location": "uk",
        "no_nsi_sector": True,
        "transfers": ["technology"],
        "ip_kind": "spin_out_equity",
        "partners": [],
        "funding": [],
    }
    response = client.post(
        "/api/v1/requests/", body, content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 201, response.content
    assert response.json()["transfers"] == ["technology"]
    assert response.json()["ip_kind"] == "spin_out_equity"
    body["transfers"] = ["rockets"]
    response = client.post(
        "/api/v1/requests/", body, content_type="application/json", headers=bearer(requester)
    )
    assert response.status_code == 400
