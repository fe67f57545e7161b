"""Role assignments: granting, revoking, the groups that mirror them, and a source's sync."""

import pytest
from django.db import IntegrityError, transaction

from assessments.models import AuditEvent
from assessments.permissions import visible_requests
from tests.assessments.request_factories import make_request
from ukcn.assignments import role_assignments_sync, role_grant, role_revoke
from ukcn.models import Profile, RoleAssignment
from ukcn.refusals import Refusal
from ukcn.roles import Role, has_department_role, has_role

IDP = RoleAssignment.Source.IDENTITY_PROVIDER


def test_granting_a_role_is_audited_and_puts_the_user_in_the_mirroring_group(
    make_user, engineering
):
    user = make_user("newcomer")
    assignment = role_grant(user=user, role=Role.REQUESTER, department=engineering)
    assert has_department_role(user, engineering.pk, Role.REQUESTER)
    assert list(user.groups.values_list("name", flat=True)) == ["requester"]
    event = AuditEvent.objects.get(action="role.granted")
    assert event.changes["department"] == "Department of Engineering"
    role_revoke(assignment=assignment)
    assert not has_role(user, Role.REQUESTER)
    assert not user.groups.exists()
    assert AuditEvent.objects.filter(action="role.revoked").count() == 1


def test_a_departmental_role_without_a_department_is_refused(make_user):
    user = make_user("nodept")
    with pytest.raises(Refusal, match="department"):
        role_grant(user=user, role=Role.HEAD_OF_DEPARTMENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.REQUESTER, department=None)


def test_a_central_role_never_names_a_department(make_user, engineering):
    user = make_user("central")
    assignment = role_grant(user=user, role=Role.REVIEWER, department=engineering)
    assert assignment.department is None
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.AUDITOR, department=engineering)


def test_a_department_on_the_profile_alone_grants_no_access(make_user, requester, engineering):
    request = make_request(requester)
    bystander = make_user("bystander", None, engineering)
    assert Profile.objects.get(user=bystander).department == engineering
    assert not visible_requests(bystander).exists()
    role_grant(user=bystander, role=Role.HEAD_OF_DEPARTMENT, department=engineering)
    assert list(visible_requests(bystander)) == [request]


def test_a_sync_from_the_identity_provider_grants_and_revokes_only_its_own_assignments(
    make_user, engineering, history
):
    user = make_user("sso-user")
    role_grant(user=user, role=Role.AUDITOR)  # given by hand: the sync leaves it alone
    granted, revoked = role_assignments_sync(
        user=user,
        wanted={(Role.REQUESTER, engineering), (Role.REVIEWER, None)},
        source=IDP,
    )
    assert (granted, revoked) == (2, 0)
    granted, revoked = role_assignments_sync(
        user=user, wanted={(Role.REQUESTER, history)}, source=IDP
    )
    assert (granted, revoked) == (1, 2)
    held = set(
        RoleAssignment.objects.filter(user=user).values_list("role", "department__code", "source")
    )
    assert held == {("auditor", None, "manual"), ("requester", "history", IDP)}
    assert set(user.groups.values_list("name", flat=True)) == {"auditor", "requester"}


def test_an_inactive_user_holds_no_role(make_user):
    user = make_user("leaver", Role.REVIEWER)
    user.is_active = False
    user.save()
    user.refresh_from_db()
    assert not has_role(user, Role.REVIEWER)


def test_the_admin_grants_changes_and_revokes_through_the_role_services(
    client, admin_user, make_user, engineering, history
):
    from django.urls import reverse

    user = make_user("newcomer")
    client.force_login(admin_user)
    add = client.post(
        reverse("admin:ukcn_roleassignment_add"),
        {"user": user.pk, "role": Role.REQUESTER, "department": engineering.pk, "source": "manual"},
    )
    assert add.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.granted_by == admin_user
    assert list(user.groups.values_list("name", flat=True)) == ["requester"]
    change = client.post(
        reverse("admin:ukcn_roleassignment_change", args=[assignment.pk]),
        {"user": user.pk, "role": Role.REQUESTER, "department": history.pk, "source": "manual"},
    )
    assert change.status_code == 302
    assert has_department_role(user, history.pk, Role.REQUESTER)
    assert not has_department_role(user, engineering.pk, Role.REQUESTER)
    actions = list(
        AuditEvent.objects.filter(action__startswith="role.").values_list("action", flat=True)
    )
    assert actions == ["role.granted", "role.revoked", "role.granted"]
    current = RoleAssignment.objects.get(user=user)
    delete = client.post(
        reverse("admin:ukcn_roleassignment_delete", args=[current.pk]), {"post": "yes"}
    )
    assert delete.status_code == 302
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not user.groups.exists()
