"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, reload_reference_data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwrights_event_loop():
    """Playwright's sync API runs an event loop in the test thread from the first browser test
    on; Django must then allow ORM calls there. Set only once browser tests run."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download is not reachable here; use the system Chromium.
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}: install Debian's chromium package "
            "(`make system-deps` as root does), or run `make test-unit` for everything else.",
            pytrace=False,
        )
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


@pytest.fixture(autouse=True)
def _reference_data(live_server):
    """The live server's database is flushed after each browser test; reload for the next."""
    reload_reference_data()


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
