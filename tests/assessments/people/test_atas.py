"""The ATAS determination: each outcome, with its reasons and the list version it used."""

from datetime import date

import pytest

from assessments.models import AtasListVersion, ImmigrationRoute, Person, PersonCategory
from assessments.people.atas import SHIPPED_LABEL, Outcome, atas_determine, atas_lists


def person(**fields):
    base = {
        "name": "王小明",
        "category": PersonCategory.STUDENT,
        "nationalities": ["CN"],
        "coming_to_uk": True,
        "immigration_route": ImmigrationRoute.STUDENT,
        "cah3_code": "CAH07-01-01",
        "soc_code": "",
    }
    base.update(fields)
    return Person(**base)


@pytest.fixture
def full_list(db):
    return AtasListVersion.objects.create(
        label="Appendix ATAS test",
        effective_from=date(2026, 1, 1),
        source="test",
        exempt_countries=["GB", "IE", "US", "JP", "FR"],
        cah3_codes=["CAH07-01-01", "CAH10-01-04"],
        soc_codes=["2119"],
        complete=True,
    )


def test_shipped_lists_hold_the_confirmed_codes_and_the_exempt_nationalities(db):
    lists = atas_lists()
    assert lists.label == SHIPPED_LABEL
    assert not lists.complete
    assert {"CAH07-01-01", "CAH07-01-02", "CAH10-01-02", "CAH10-01-04"} == lists.cah3_codes
    assert {"2119", "2311"} == lists.soc_codes
    assert {"GB", "IE", "DE", "NO", "CH", "AU", "CA", "JP", "NZ", "SG", "KR", "US"} <= (
        lists.exempt_countries
    )
    assert "CN" not in lists.exempt_countries and "IN" not in lists.exempt_countries


def test_student_from_a_non_exempt_country_in_a_listed_subject_needs_a_certificate(db):
    result = atas_determine(person())
    assert result.outcome == Outcome.REQUIRED
    assert any("CAH07-01-01" in reason for reason in result.reasons)
    assert result.list_label == SHIPPED_LABEL
    assert SHIPPED_LABEL in result.explanation


def test_exempt_nationality_is_not_required(db):
    result = atas_determine(person(nationalities=["JP"]))
    assert result.outcome == Outcome.NOT_REQUIRED
    assert "exempt nationality (JP)" in result.reasons[0]


def test_dual_nationality_with_one_exempt_is_not_required(db):
    assert atas_determine(person(nationalities=["CN", "CA"])).outcome == Outcome.NOT_REQUIRED
    assert atas_determine(person(nationalities=["CN", "IN"])).outcome == Outcome.REQUIRED


@pytest.mark.parametrize(
    "route",
    [
        ImmigrationRoute.BRITISH_IRISH,
        ImmigrationRoute.SETTLED,
        ImmigrationRoute.GLOBAL_TALENT,
        ImmigrationRoute.NOT_COMING,
    ],
)
def test_routes_atas_does_not_apply_to(db, route):
    result = atas_determine(person(immigration_route=route))
    assert result.outcome == Outcome.NOT_REQUIRED


def test_not_coming_to_the_uk_is_not_required_whatever_the_route(db):
    result = atas_determine(person(coming_to_uk=False, immigration_route=""))
    assert result.outcome == Outcome.NOT_REQUIRED


def test_dependant_researcher_is_not_required_but_a_dependant_student_is(db):
    researcher = person(
        category=PersonCategory.VISITING_RESEARCHER, immigration_route=ImmigrationRoute.DEPENDANT
    )
    assert atas_determine(researcher).outcome == Outcome.NOT_REQUIRED
    student = person(immigration_route=ImmigrationRoute.DEPENDANT)
    assert atas_determine(student).outcome == Outcome.REQUIRED


def test_subject_out_of_scope_on_a_complete_list_is_not_required(full_list):
    result = atas_determine(person(cah3_code="CAH15-01-01"))
    assert result.outcome == Outcome.NOT_REQUIRED
    assert "subject is not in the ATAS scope" in result.reasons[0]
    assert "Appendix ATAS test" in result.list_label


def test_subject_missing_from_the_incomplete_shipped_list_is_unknown(db):
    result = atas_determine(person(cah3_code="CAH15-01-01"))
    assert result.outcome == Outcome.UNKNOWN
    assert "CAH3 subject code CAH15-01-01" in result.missing[0]


def test_missing_facts_are_named(db):
    result = atas_determine(person(nationalities=[], immigration_route="", cah3_code=""))
    assert result.outcome == Outcome.UNKNOWN
    assert result.missing == ["nationality", "immigration status or route", "CAH3 subject code"]


def test_staff_job_code_decides_on_a_work_route(full_list):
    staff = {
        "category": PersonCategory.VISITING_RESEARCHER,
        "immigration_route": ImmigrationRoute.SKILLED_WORKER,
    }
    assert atas_determine(person(**staff, soc_code="2119")).outcome == Outcome.REQUIRED
    out = atas_determine(person(**staff, soc_code="3111"))
    assert out.outcome == Outcome.NOT_REQUIRED
    assert "occupation" in out.reasons[0]
    missing = atas_determine(person(**staff, soc_code=""))
    assert missing.outcome == Outcome.UNKNOWN and missing.missing == ["job (SOC 2020) code"]


def test_the_version_in_effect_on_the_day_is_used(full_list):
    AtasListVersion.objects.create(
        label="later", effective_from=date(2099, 1, 1), source="test", complete=True
    )
    assert atas_lists(date(2026, 6, 1)).label.startswith("Appendix ATAS test")
    assert atas_lists(date(2025, 6, 1)).label == SHIPPED_LABEL
