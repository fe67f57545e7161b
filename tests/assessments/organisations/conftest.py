import json
from pathlib import Path

import pytest

from assessments.organisations import resolve as resolve_module
from assessments.organisations.ror import ror_import

from ..api.conftest import bearer  # noqa: F401  (the API fixture, shared)
from ..screening.conftest import (  # noqa: F401  (the screening fixtures, shared)
    aspi,
    fresh_index_cache,
    make_request,
    watchlist_rows,
)

SAMPLE = Path(__file__).resolve().parents[3] / "assessments" / "data" / "ror" / "ror-sample-v2.json"

HIT = "01yqg2h08"
HIT_LAB = "05s6mpv98"  # State Key Laboratory of Urban Water Resources and Water Environment
HEU = "03x80pn82"  # Harbin Engineering University
WIPM = "00zky9d41"  # inactive, successor 05cy2r844
WIPM_SUCCESSOR = "05cy2r844"
CAS = "034t30j35"


@pytest.fixture
def sample_records():
    return json.loads(SAMPLE.read_text("utf-8"))


@pytest.fixture(autouse=True)
def fresh_resolution_index():
    resolve_module._cache.clear()
    yield
    resolve_module._cache.clear()


@pytest.fixture
def ror(db):
    """The real sample imported."""
    return ror_import(SAMPLE)


@pytest.fixture
def request_with(requester, engineering):
    """A submitted request with one partner organisation."""
    from assessments.models import Partner, PartnershipRequest

    def make(organisation, reference: str, title: str = "Joint work"):
        request = PartnershipRequest.objects.create(
            reference=reference,
            title=title,
            summary="Joint work.",
            lead_academic="Dr A",
            department=engineering,
            created_by=requester,
            collaboration_type="joint_project",
            work_location="both",
            status="submitted",
        )
        Partner.objects.create(request=request, organisation=organisation)
        return request

    return make
