from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.models import ImmigrationRoute, PersonCategory
from assessments.people.services import person_add
from tests.assessments.request_factories import make_request


def required_row(**overrides):
    """A person who needs an ATAS certificate under the shipped lists."""
    row = {
        "name": "Li Wei 李伟",
        "category": PersonCategory.STUDENT,
        "project_role": "PhD student on the cathode work",
        "nationalities": ["CN"],
        "coming_to_uk": True,
        "immigration_route": ImmigrationRoute.STUDENT,
        "start_date": timezone.localdate() + timedelta(days=60),
        "end_date": timezone.localdate() + timedelta(days=400),
        "cah3_code": "CAH07-01-01",
    }
    row.update(overrides)
    return row


@pytest.fixture
def draft(requester):
    return make_request(requester)


@pytest.fixture
def student(draft, requester):
    return person_add(request=draft, actor=requester, row=required_row())


@pytest.fixture
def today():
    return date.today()
