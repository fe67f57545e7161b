"""The intake questions of the two-axis risk model (basic vs applied research, technology
readiness, the share of funding from the largest foreign source), checked alike by the web
form and the API through request_facts_validate; and the country context table's dates."""

from datetime import date, timedelta

import pytest

from assessments.countries import country_facts
from assessments.models import CountryContext, PartnershipRequest
from assessments.workflow.facts import request_facts_validate

from .test_request_views import form_data


@pytest.mark.parametrize(
    ("facts", "errors"),
    [
        ({}, {}),
        ({"research_kind": "basic", "technology_readiness": "basic"}, {}),
        ({"research_kind": "applied", "technology_readiness": "7"}, {}),
        ({"largest_foreign_funding_share": 0}, {}),
        ({"largest_foreign_funding_share": 100}, {}),
        ({"research_kind": "pure"}, {"research_kind": "Choose basic or applied research."}),
        (
            {"technology_readiness": "10"},
            {
                "technology_readiness": "Choose a technology readiness level from 1 to 9, or "
                "basic research."
            },
        ),
        (
            {"research_kind": "applied", "technology_readiness": "basic"},
            {
                "technology_readiness": "Applied research has a technology readiness level: "
                "choose one from 1 to 9."
            },
        ),
        (
            {"largest_foreign_funding_share": 101},
            {
                "largest_foreign_funding_share": "Give the share as a whole percentage from 0 to 100."
            },
        ),
        (
            {"largest_foreign_funding_share": True},
            {
                "largest_foreign_funding_share": "Give the share as a whole percentage from 0 to 100."
            },
        ),
    ],
)
def test_request_facts_validate_names_each_problem_by_field(facts, errors):
    assert request_facts_validate(facts) == errors


def test_the_form_asks_the_intake_questions_and_refuses_applied_research_without_a_trl(
    client, requester
):
    client.force_login(requester)
    page = client.get("/requests/new/").content.decode()
    for name in ("research_kind", "technology_readiness", "largest_foreign_funding_share"):
        assert f'name="{name}"' in page
    response = client.post(
        "/requests/new/",
        form_data(research_kind="applied", technology_readiness="basic"),
    )
    assert response.status_code == 200
    assert "Applied research has a technology readiness level" in response.content.decode()
    assert not PartnershipRequest.objects.exists()
    response = client.post(
        "/requests/new/",
        form_data(
            research_kind="applied",
            technology_readiness="4",
            largest_foreign_funding_share="60",
        ),
    )
    assert response.status_code == 302
    saved = PartnershipRequest.objects.get()
    assert (saved.research_kind, saved.technology_readiness) == ("applied", "4")
    assert saved.largest_foreign_funding_share == 60


def test_the_form_refuses_a_share_above_one_hundred(client, requester):
    client.force_login(requester)
    response = client.post("/requests/new/", form_data(largest_foreign_funding_share="140"))
    assert response.status_code == 200
    assert not PartnershipRequest.objects.exists()


def test_the_country_row_in_force_on_the_day_counts(db):
    today = date(2027, 6, 1)
    CountryContext.objects.create(
        country="VN",
        level="medium",
        effective_from=date(2026, 1, 1),
        effective_to=date(2027, 1, 1),
        source_note="first review",
    )
    CountryContext.objects.create(
        country="VN", level="high", effective_from=date(2027, 1, 1), source_note="second review"
    )
    [now] = country_facts(["VN", "CH", ""], day=today)
    assert (now.code, now.name, now.level, now.source_note) == (
        "VN",
        "Vietnam",
        "high",
        "second review",
    )
    [then] = country_facts(["VN"], day=date(2026, 6, 1))
    assert then.level == "medium"
    assert country_facts(["VN"], day=date(2025, 12, 31)) == ()
    assert country_facts(["VN"], day=today + timedelta(days=1))[0].level == "high"


def test_the_starter_rows_say_they_are_a_starting_point_to_review(db):
    rows = CountryContext.objects.order_by("country")
    assert [(r.country, r.level) for r in rows] == [
        ("CN", "high"),
        ("IR", "very_high"),
        ("RU", "very_high"),
    ]
    for row in rows:
        assert row.source_note.startswith("Starting point for the office to review")
        assert row.notes.startswith("Starting point for the office to review.")


def test_the_admin_lists_and_validates_country_rows(admin_client):
    page = admin_client.get("/admin/assessments/countrycontext/").content.decode()
    assert "China" in page and "Russia" in page
    response = admin_client.post(
        "/admin/assessments/countrycontext/add/",
        {
            "country": "VN",
            "level": "medium",
            "effective_from": "2027-01-01",
            "effective_to": "2026-01-01",
            "source_note": "Office review",
            "notes": "",
        },
    )
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    response = admin_client.post(
        "/admin/assessments/countrycontext/add/",
        {
            "country": "VN",
            "level": "medium",
            "effective_from": "2027-01-01",
            "effective_to": "",
            "source_note": "Office review",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert CountryContext.objects.filter(country="VN", level="medium").exists()
