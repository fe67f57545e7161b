from django.contrib.auth.models import Group

from ukcn.roles import Role, has_role, sees_all_departments


def test_every_role_group_exists_after_migrate(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {role.value for role in Role} <= names


def test_a_requester_sees_only_their_department(requester):
    assert has_role(requester, Role.REQUESTER)
    assert not sees_all_departments(requester)


def test_central_office_roles_see_every_department(reviewer, approver, auditor):
    assert all(sees_all_departments(user) for user in (reviewer, approver, auditor))


def test_a_superuser_holds_every_role(admin_user):
    assert has_role(admin_user, Role.APPROVER)


def test_navigation_shows_only_what_the_role_may_use(client, requester, admin_user):
    client.force_login(requester)
    assert b'href="/admin/"' not in client.get("/").content
    client.force_login(admin_user)
    assert b'href="/admin/"' in client.get("/").content
