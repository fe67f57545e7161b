"""Shared fixtures: fast hashing, one user per role, departments."""

import importlib
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.db import connection

from ukcn.assignments import sync_role_groups
from ukcn.models import Department, Profile, RoleAssignment
from ukcn.roles import DEPARTMENTAL_ROLES, Role

PASSWORD = "correct-horse-battery-staple"


def reload_reference_data():
    """Recreate what data migrations load (role groups, NSI sectors, disciplines) if a
    transactional test's flush removed them; idempotent."""

    from assessments.models import Sector

    # (A flush re-runs post_migrate handlers, which recreate some groups: look at the sectors.)
    if Group.objects.filter(name=Role.REQUESTER).exists() and Sector.objects.exists():
        return
    importlib.import_module("ukcn.migrations.0002_create_role_groups").create_groups(apps, None)
    importlib.import_module("assessments.migrations.0002_load_sectors_and_disciplines").load(
        apps, None
    )
    importlib.import_module("assessments.migrations.0013_country_context_starting_point").load(
        apps, None
    )
    importlib.import_module(
        "guidance.migrations.0002_grant_guidance_editor_permissions"
    ).grant_to_editors(apps, None)
    importlib.import_module("assessments.migrations.0018_load_legal_reference_data").load(
        apps, None
    )


def grant_role(user, role, department=None):
    """Test set-up: give a role as an administrator would, without an audit event (tests that
    count events count only those of the action under test). `role_grant` is tested alone."""
    RoleAssignment.objects.get_or_create(user=user, role=Role(role), department=department)
    sync_role_groups(user)
    return user


@contextmanager
def audit_tampering():
    """Test set-up: edit audit rows as a database superuser could, bypassing the app (on
    PostgreSQL the append-only trigger refuses anyone else)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # A reused test database may have been flushed by the last run's browser tests.
    with django_db_blocker.unblock():
        reload_reference_data()


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _test_shared_cache(tmp_path_factory):
    """The suite's shared (file) cache lives in a temporary folder, so clearing it between
    tests never touches a developer's var/cache."""
    from django.conf import settings
    from django.test import override_settings

    caches_for_tests = {
        **settings.CACHES,
        "shared": {**settings.CACHES["shared"], "LOCATION": tmp_path_factory.mktemp("cache")},
    }
    with override_settings(CACHES=caches_for_tests):
        yield


@pytest.fixture(autouse=True)
def _screening_index_dir(settings, tmp_path_factory):
    """Screening index snapshots go to a temporary folder, never a developer's var/."""
    settings.SCREENING_INDEX_DIR = tmp_path_factory.mktemp("screening-index")


@pytest.fixture(autouse=True)
def _empty_cache(_test_shared_cache):
    # Tests roll back, so ids (and with them cache keys such as the dashboard's and the
    # per-user screening count's) repeat.
    cache.clear()
    caches["shared"].clear()
    # The organisation resolution indexes are process memory keyed on counts and ids.
    from assessments.organisations import resolve

    resolve._cache.clear()


@pytest.fixture
def engineering(db):
    return Department.objects.create(name="Department of Engineering", code="engineering")


@pytest.fixture
def history(db):
    return Department.objects.create(name="School of History", code="history")


@pytest.fixture
def make_user(db, django_user_model):
    """Create a user with a role and, optionally, a department."""

    def make(username, role=None, department=None, **extra):
        user = django_user_model.objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@example.ac.uk", **extra
        )
        Profile.objects.create(user=user, department=department)
        if role:
            grant_role(user, role, department if Role(role) in DEPARTMENTAL_ROLES else None)
        return user

    return make


@pytest.fixture
def requester(make_user, engineering):
    return make_user("requester", Role.REQUESTER, engineering)


@pytest.fixture
def other_requester(make_user, history):
    return make_user("historian", Role.REQUESTER, history)


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", Role.REVIEWER)


@pytest.fixture
def second_reviewer(make_user):
    return make_user("reviewer2", Role.REVIEWER)


@pytest.fixture
def approver(make_user):
    return make_user("approver", Role.APPROVER)


@pytest.fixture
def guidance_editor(make_user):
    return make_user("editor", Role.GUIDANCE_EDITOR)


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin", password=PASSWORD, email="admin@example.ac.uk"
    )
