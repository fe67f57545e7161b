"""Property-based run of schemathesis against the OpenAPI schema, on a real local server.

A bounded number of generated calls per operation (valid and invalid input), with a
real API token: no answer may be a 500, and every answer must match the schema.
"""

import os
from collections import Counter

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from assessments.models import AuditEvent, Organisation, Watchlist
from tests.assessments.request_factories import add_role, make_request
from tests.conftest import reload_reference_data
from ukcn.api_tokens import api_token_issue
from ukcn.roles import Role

from ..screening.conftest import make_version

# Bounded so `make test` stays quick; raise it locally to search harder.
EXAMPLES_PER_OPERATION = int(os.environ.get("UKCN_SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture
def api_world(live_server, make_user, engineering):
    """A live server with data to read, and a token for a user in several roles."""
    reload_reference_data()
    user = make_user("integration", Role.REQUESTER, engineering)
    add_role(user, Role.REVIEWER)
    add_role(user, Role.AUDITOR)
    make_request(user, title="Battery cathodes")
    Organisation.objects.get_or_create(name="Zhejiang University", country="CN")
    watchlist = Watchlist.objects.create(name="ASPI tracker", format="aspi")
    make_version(
        watchlist,
        [
            {
                "id": "nudt",
                "name": "National University of Defense Technology",
                "country": "CN",
                "risk_level": "very_high",
            }
        ],
        1,
    )
    _token, secret = api_token_issue(user=user, name="schemathesis")
    return {"url": live_server.url, "headers": {"Authorization": f"Bearer {secret}"}}


def test_the_api_honours_its_schema(api_world):
    schema = schemathesis.openapi.from_url(
        f"{api_world['url']}/api/v1/schema/?format=json", headers=api_world["headers"]
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19
    failures = []
    calls = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, api_world, calls)
            except Exception as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # Every operation was called, most of them many times over.
    assert set(calls) == {operation.label for operation in operations}
    assert sum(calls.values()) >= len(operations) * EXAMPLES_PER_OPERATION
    # The schema's own examples are accepted: the write paths work, not only their refusals.
    # Sent once each, directly (which of them hypothesis replays depends on its generation).
    document = requests.get(
        f"{api_world['url']}/api/v1/schema/?format=json", headers=api_world["headers"], timeout=30
    ).json()
    create = document["paths"]["/api/v1/requests/"]["post"]["requestBody"]["content"]
    examples = create["application/json"]["examples"]
    assert examples
    for example in examples.values():
        response = requests.post(
            f"{api_world['url']}/api/v1/requests/",
            json=example["value"],
            headers=api_world["headers"],
            timeout=30,
        )
        assert response.status_code == 201, response.text
    assert AuditEvent.objects.filter(
        action="request.created", summary__contains=": Joint lab"
    ).exists()


def _exercise(operation, mode, api_world, calls: Counter):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case):
        calls[operation.label] += 1
        case.call_and_validate(
            base_url=api_world["url"], headers=api_world["headers"], checks=CHECKS
        )

    run()
