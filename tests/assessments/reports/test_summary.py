import subprocess
from datetime import date, timedelta

import pytest
from django.utils import timezone

from assessments.models import AuditEvent, Condition, RequestStatus, Tier
from assessments.reports.summary import annual_summary
from tests.assessments.reports.factories import aware, decide, make_organisation, make_request


def poppler(*command: str) -> str:
    """Run one of poppler-utils' tools (installed by .ci/system-deps) and return its output."""
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


@pytest.fixture
def year_2025(requester, reviewer, approver, engineering):
    """Three requests submitted in 2025, one in 2024 decided in 2025, conditions in between."""
    southeast = make_organisation("Southeast University", city="Jiangsu", native="东南大学")
    munich = make_organisation("Technical University of Munich", country="DE", city="Bavaria")
    approved = make_request(
        department=engineering,
        created_by=requester,
        tier=Tier.MEDIUM,
        submitted_at=aware(2025, 2, 1),
        decided_at=aware(2025, 4, 1),
        partners=[southeast, munich],
        sectors=["energy"],
    )
    decision = decide(
        approved,
        recommender=reviewer,
        decider=approver,
        outcome=RequestStatus.APPROVED_WITH_CONDITIONS,
    )
    today = timezone.localdate()
    Condition.objects.create(
        request=approved, decision=decision, text="Annual report", due_date=today - timedelta(1)
    )
    Condition.objects.create(
        request=approved, decision=decision, text="Travel briefing", due_date=today + timedelta(30)
    )
    Condition.objects.create(
        request=approved,
        decision=decision,
        text="Data agreement signed",
        due_date=date(2025, 6, 1),
        status=Condition.Status.MET,
        met_at=aware(2025, 5, 20),
    )
    make_request(
        department=engineering,
        created_by=requester,
        tier=Tier.HIGH,
        submitted_at=aware(2025, 12, 31, 23),
        partners=[southeast],
        sectors=["energy", "synthetic-biology"],
    )
    make_request(department=engineering, created_by=requester, submitted_at=aware(2025, 1, 1, 0))
    earlier = make_request(
        department=engineering,
        created_by=requester,
        tier=Tier.VERY_HIGH,
        submitted_at=aware(2024, 11, 1),
        decided_at=aware(2025, 1, 20),
        partners=[southeast],
    )
    decide(earlier, recommender=reviewer, decider=approver, outcome=RequestStatus.DECLINED)
    return approved


def test_the_summary_counts_the_years_requests_and_decisions(year_2025):
    summary = annual_summary(year=2025)
    assert summary.received == 3
    assert summary.decided == 2
    assert {t.label: t.count for t in summary.by_tier} == {
        "Low": 0,
        "Medium": 1,
        "High": 1,
        "Very high": 0,
        "Not yet scored": 1,
    }
    assert {t.label: t.count for t in summary.by_decision} == {
        "Approved": 0,
        "Approved with conditions": 1,
        "Declined": 1,
    }
    assert [(t.label, t.count) for t in summary.by_country] == [("China", 2), ("Germany", 1)]
    assert [(t.label, t.count) for t in summary.by_sector] == [
        ("Energy", 2),
        ("Synthetic Biology", 1),
        ("None of the NSI Act sectors", 1),
    ]
    assert summary.top_partners[0].name_native == "东南大学"
    assert summary.top_partners[0].count == 2


def test_conditions_outstanding_are_the_unmet_ones_and_the_overdue_are_counted(year_2025):
    summary = annual_summary(year=2025)
    assert [c.text for c in summary.conditions_outstanding] == ["Annual report", "Travel briefing"]
    assert summary.conditions_overdue == 1
    assert summary.conditions_met_in_year == 1


def test_the_year_before_counts_only_its_own_request(year_2025):
    summary = annual_summary(year=2024)
    assert summary.received == 1
    assert summary.decided == 0


def test_the_summary_page_shows_the_figures(client, auditor, year_2025):
    client.force_login(auditor)
    response = client.get("/reports/annual/2025/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "In 2025, 3 requests were submitted for review and 2 decided" in content
    assert "Travel briefing" in content
    assert 'href="/reports/annual/2025.pdf"' in content


def test_the_summary_pdf_is_a_real_pdf_with_the_year_and_chinese_names_as_text(
    client, approver, year_2025, tmp_path
):
    client.force_login(approver)
    response = client.get("/reports/annual/2025.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "summary.pdf"
    path.write_bytes(response.content)
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "Annual summary 2025" in text
    assert "东南大学" in text
    assert "Approved with conditions" in text
    fonts = poppler("pdffonts", str(path))
    assert "WenQuanYi" in fonts


def test_downloading_the_summary_pdf_is_audited(client, approver, year_2025):
    client.force_login(approver)
    client.get("/reports/annual/2025.pdf")
    event = AuditEvent.objects.get(action="report.annual_summary")
    assert event.actor == approver
    assert event.changes == {"year": 2025, "format": "pdf"}


def test_requesters_may_not_read_the_governing_bodys_summary(client, requester, year_2025):
    client.force_login(requester)
    assert client.get("/reports/annual/2025/").status_code == 403
    assert client.get("/reports/annual/2025.pdf").status_code == 403
    assert client.get("/reports/annual/").status_code == 403


def test_the_index_sends_to_the_year_asked_for_and_unknown_years_are_not_found(
    client, reviewer, year_2025
):
    client.force_login(reviewer)
    assert client.get("/reports/annual/", {"year": "2025"})["Location"] == "/reports/annual/2025/"
    this_year = timezone.localdate().year
    assert (
        client.get("/reports/annual/", {"year": "x"})["Location"] == f"/reports/annual/{this_year}/"
    )
    assert client.get("/reports/annual/1990/").status_code == 404
    assert client.get(f"/reports/annual/{this_year + 1}/").status_code == 404


def test_a_long_list_of_outstanding_conditions_is_cut_and_says_how_many_more(
    client, auditor, year_2025, monkeypatch
):
    monkeypatch.setattr("assessments.reports.summary.CONDITIONS_LISTED", 1)
    summary = annual_summary(year=2025)
    assert [c.text for c in summary.conditions_outstanding] == ["Annual report"]
    assert summary.conditions_outstanding_count == 2
    client.force_login(auditor)
    content = client.get("/reports/annual/2025/").content.decode()
    assert "And 1 more, due later" in content
