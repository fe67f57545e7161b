"""The audit report shows the people section only to roles that may see people."""

from django.urls import reverse

from ukcn.roles import Role


def test_people_section_only_for_allowed_roles(
    student, draft, requester, reviewer, auditor, make_user, client
):
    url = reverse("assessments:request_report", args=[draft.reference])
    for user in (requester, reviewer, auditor):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'data-section="people"' in page and "Li Wei" in page, user
        assert "ATAS certificate required" in page
    head = make_user("head", Role.HEAD_OF_DEPARTMENT, draft.department)
    client.force_login(head)
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-section="people"' not in page.content.decode()
    assert "Li Wei" not in page.content.decode()
