"""Requests, conditions and a frozen clock for the notification and scheduling tests."""

import contextlib
import datetime as dt
import itertools
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from assessments.models import Condition, Decision, PartnershipRequest, RequestStatus
from tests.conftest import reload_reference_data

LONDON = ZoneInfo("Europe/London")
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://ukcn.example.ac.uk"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """The e-mail task runs as it is queued, so these tests see what a worker would send
    (tests/assessments/notifications/test_background_email.py queues it for a real worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def reference_data_restored(django_db_blocker):
    """Reload what the data migrations created once a transactional test has flushed it.

    Request it before `transactional_db`: its teardown then runs after the flush, so later
    transactional tests still find the role groups, sectors and disciplines.
    """
    yield
    with django_db_blocker.unblock():
        reload_reference_data()


@pytest.fixture
def make_request(db):
    """A partnership request in a department, created by a user."""

    def make(created_by, department, **fields):
        values = {
            "reference": f"PR-2026-{next(_numbers):04d}",
            "title": "Joint centre for battery materials",
            "summary": "Materials research with a partner university.",
            "lead_academic": "Dr Ada Lovelace",
            "collaboration_type": "joint_centre",
            "work_location": "both",
            "status": RequestStatus.SUBMITTED,
            **fields,
        }
        return PartnershipRequest.objects.create(
            created_by=created_by, department=department, **values
        )

    return make


@pytest.fixture
def make_condition(db):
    """An open condition on an approved request, with a decision."""

    def make(request, *, due_date, owner=None, decided_by=None, text="Sign the data agreement"):
        decision = Decision.objects.create(
            request=request,
            decided_by=decided_by or request.reviewer or request.created_by,
            outcome=RequestStatus.APPROVED_WITH_CONDITIONS,
            reasoning="Acceptable with a data agreement.",
        )
        return Condition.objects.create(
            request=request, decision=decision, text=text, owner=owner, due_date=due_date
        )

    return make


@contextlib.contextmanager
def frozen_clock(moment: dt.datetime):
    """Every `timezone.now()` (and so `localdate()`) returns `moment`."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def page_url(request) -> str:
    return "https://ukcn.example.ac.uk" + reverse(
        "assessments:request_detail", args=[request.reference]
    )
