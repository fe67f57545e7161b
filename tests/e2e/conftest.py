"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import importlib
import shutil

import pytest
from django.apps import apps as django_apps

from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download is not reachable here; use the system Chromium.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


# Rows that data migrations write; a live-server test's flush removes them.
DATA_MIGRATIONS = [
    ("ukcn.migrations.0002_create_role_groups", "create_groups"),
    ("assessments.migrations.0002_load_sectors_and_disciplines", "load"),
    ("guidance.migrations.0002_grant_guidance_editor_permissions", "grant_to_editors"),
]


@pytest.fixture(autouse=True)
def _restore_migration_data(transactional_db):
    """Live-server tests flush the database when they end, taking the rows data migrations
    made (role groups and their permissions, NSI sectors) with it; put them back first.
    (serialized_rollback would do this, but Playwright's event loop gives the test a fresh
    connection object without the serialized copy.)"""
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real login form."""

    def log_in(user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        return page

    return log_in


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
