import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from assessments.audit import audit_record
from assessments.models import AuditEvent, FunderType, PartnershipRequest, RequestStatus, Tier
from assessments.reports.exports import REQUEST_COLUMNS, export_csv, request_records
from tests.assessments.reports.factories import aware, decide, make_organisation, make_request

HEADINGS = [heading for _key, heading in REQUEST_COLUMNS]


def read_csv(response) -> tuple[str, list[dict]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.fixture
def portfolio(requester, other_requester, reviewer, approver, engineering, history):
    """Two engineering requests (one decided, one hostile) and one history request."""
    southeast = make_organisation("Southeast University", city="Jiangsu", native="东南大学")
    munich = make_organisation("Technical University of Munich", country="DE", city="Bavaria")
    decided = make_request(
        department=engineering,
        created_by=requester,
        title="Joint centre for offshore wind",
        tier=Tier.HIGH,
        created_at=aware(2024, 3, 1),
        submitted_at=aware(2024, 3, 5),
        partners=[southeast, munich],
        sectors=["energy", "advanced-materials"],
        disciplines=["engineering"],
        funders=[
            {"name": "UK Research and Innovation", "country": "GB"},
            {"type": FunderType.PARTNER_GOVERNMENT, "undisclosed": True},
        ],
    )
    decide(decided, recommender=reviewer, decider=approver)
    hostile = make_request(
        department=engineering,
        created_by=requester,
        title='=HYPERLINK("http://evil.example","click")',
        created_at=aware(2025, 1, 10),
        partners=[make_organisation("+cmd|' /C calc'!A0", country="CN")],
    )
    other = make_request(
        department=history,
        created_by=other_requester,
        title="Silk Road manuscripts",
        created_at=aware(2025, 2, 1),
        partners=[southeast],
    )
    return {"decided": decided, "hostile": hostile, "other": other}


def test_an_auditor_exports_every_request_as_csv_with_a_bom_and_every_column(
    client, auditor, portfolio
):
    client.force_login(auditor)
    response = client.get("/exports/requests.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text, rows = read_csv(response)
    assert text.startswith("\ufeffReference,Title,Department")
    assert list(rows[0]) == HEADINGS
    assert {row["Reference"] for row in rows} == {r.reference for r in portfolio.values()}


def test_a_csv_row_carries_partners_countries_funding_decision_reviewer_and_approver(
    client, auditor, portfolio
):
    client.force_login(auditor)
    _, rows = read_csv(client.get("/exports/requests.csv"))
    row = next(r for r in rows if r["Reference"] == portfolio["decided"].reference)
    assert row["Partners"] == "Southeast University (东南大学); Technical University of Munich"
    assert row["Partner countries"] == "CN; DE"
    assert row["Partner cities or provinces"] == "Bavaria (DE); Jiangsu (CN)"
    assert row["NSI Act sectors"] == "Advanced Materials; Energy"
    assert row["Funder types"] == "Partner government; UK public funder"
    assert row["Funding origin undisclosed"] == "yes"
    assert row["Decision"] == "Approved"
    assert row["Status"] == "Approved"
    assert row["Tier"] == "High"
    assert row["Reviewer (recommended)"] == "reviewer"
    assert row["Approver (decided)"] == "approver"
    assert row["Created"].startswith("2024-03-01")
    assert row["Submitted"].startswith("2024-03-05")


def test_formula_injection_is_neutralised_in_a_real_csv_export(client, auditor, portfolio):
    client.force_login(auditor)
    _, rows = read_csv(client.get("/exports/requests.csv"))
    row = next(r for r in rows if r["Reference"] == portfolio["hostile"].reference)
    assert row["Title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["Partners"] == "'+cmd|' /C calc'!A0"


def test_the_xlsx_export_has_requests_partners_and_audit_events_all_neutralised(
    client, reviewer, portfolio
):
    client.force_login(reviewer)
    response = client.get("/exports/requests.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Requests", "Partners", "Audit events"]
    requests = list(workbook["Requests"].values)
    assert list(requests[0]) == HEADINGS
    assert len(requests) == 1 + 3
    titles = {row[1] for row in requests[1:]}
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    partners = list(workbook["Partners"].values)
    assert len(partners) == 1 + 4
    assert "'+cmd|' /C calc'!A0" in {row[1] for row in partners}
    assert "东南大学" in {row[2] for row in partners}
    events = list(workbook["Audit events"].values)
    # The export's own audit event is about no single request, so only headings here.
    assert events[0][:4] == ("Event", "When", "Who", "Action")


def _audit_sheet(client) -> list[tuple]:
    response = client.get("/exports/requests.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook["Audit events"].values)


@pytest.fixture
def reviewed_from_an_office(portfolio, reviewer):
    audit_record(
        actor=reviewer,
        action="request.note",
        summary="Checked from the central office",
        request=portfolio["decided"],
        ip="192.0.2.44",
    )
    return portfolio


def test_a_requesters_exports_carry_no_ip_addresses(client, requester, reviewed_from_an_office):
    client.force_login(requester)
    events = _audit_sheet(client)
    assert "IP address" not in events[0]
    assert "Checked from the central office" in {row[5] for row in events[1:]}
    assert "192.0.2.44" not in {cell for row in events for cell in row}
    text, _rows = read_csv(client.get("/exports/requests.csv"))
    assert "192.0.2.44" not in text


def test_central_staffs_exports_keep_the_ip_addresses(client, auditor, reviewed_from_an_office):
    client.force_login(auditor)
    events = _audit_sheet(client)
    assert "IP address" in events[0]
    assert "192.0.2.44" in {cell for row in events for cell in row}


def test_the_json_export_is_one_document_with_lists_and_its_filters(client, approver, portfolio):
    client.force_login(approver)
    response = client.get("/exports/requests.json", {"tier": "high"})
    document = json.loads(b"".join(response.streaming_content))
    assert document["generated_by"] == "approver"
    assert document["filters"] == {"tier": "high"}
    assert len(document["audit_chain_head"]) == 64
    [record] = document["requests"]
    assert record["reference"] == portfolio["decided"].reference
    assert record["countries"] == ["CN", "DE"]
    assert record["funding_undisclosed"] is True


def test_a_requester_exports_only_their_own_departments_requests(client, requester, portfolio):
    client.force_login(requester)
    _, rows = read_csv(client.get("/exports/requests.csv"))
    assert {row["Reference"] for row in rows} == {
        portfolio["decided"].reference,
        portfolio["hostile"].reference,
    }


def test_a_requester_cannot_reach_another_departments_requests_by_filtering(
    client, requester, portfolio
):
    client.force_login(requester)
    _, rows = read_csv(client.get("/exports/requests.csv", {"department": "history"}))
    # Requesters have no department filter: the parameter is ignored, never widening.
    assert {row["Reference"] for row in rows} == {
        portfolio["decided"].reference,
        portfolio["hostile"].reference,
    }
    _, rows = read_csv(client.get("/exports/requests.csv", {"q": "Silk Road"}))
    assert rows == []


def test_a_guidance_editor_may_not_export(client, guidance_editor, portfolio):
    client.force_login(guidance_editor)
    assert client.get("/exports/requests.csv").status_code == 403
    assert client.get("/exports/").status_code == 403


def test_every_web_export_is_audited_with_its_format_filters_and_row_count(
    client, auditor, portfolio
):
    client.force_login(auditor)
    client.get("/exports/requests.csv", {"country": "de"})
    event = AuditEvent.objects.get(action="export.portfolio")
    assert event.actor == auditor
    assert event.changes == {
        "format": "csv",
        "rows": 1,
        "filters": {"country": "DE"},
        "channel": "web",
    }
    assert event.ip_address == "127.0.0.1"


def test_bad_filters_answer_400_with_the_reason_and_export_nothing(client, auditor, portfolio):
    client.force_login(auditor)
    response = client.get(
        "/exports/requests.csv", {"created_from": "2025-02-01", "created_to": "2025-01-01"}
    )
    assert response.status_code == 400
    assert b"must not be after" in response.content
    response = client.get("/exports/requests.csv", {"status": "bogus", "created_from": "soon"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="export.portfolio").exists()


def test_an_unknown_export_format_is_not_found(client, auditor):
    client.force_login(auditor)
    assert client.get("/exports/requests.pdf").status_code == 404


def test_the_export_page_offers_the_filters_and_every_format(client, requester):
    client.force_login(requester)
    response = client.get("/exports/")
    assert response.status_code == 200
    for fmt in ("csv", "xlsx", "json"):
        assert f'formaction="/exports/requests.{fmt}"'.encode() in response.content
    assert b'name="created_from"' in response.content
    assert b'name="department"' not in response.content


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(
    requester, reviewer, approver, engineering
):
    partner = make_organisation("Zhejiang University", city="Zhejiang")

    def queries_for(count: int) -> int:
        PartnershipRequest.objects.all().delete()
        for n in range(count):
            request = make_request(
                department=engineering,
                created_by=requester,
                partners=[partner],
                sectors=["energy"],
                funders=[{"name": "Innovate UK"}],
            )
            if n % 2:
                decide(request, recommender=reviewer, decider=approver)
            else:
                # Under review: the reviewer comes from the request, not a recommendation.
                request.reviewer = reviewer
                request.save(update_fields=["reviewer"])
        with CaptureQueriesContext(connection) as queries:
            assert len(list(export_csv(PartnershipRequest.objects.all()))) == count + 1
        return len(queries)

    assert queries_for(3) == queries_for(25)


def test_a_superseded_decision_is_not_the_one_exported(requester, reviewer, approver, engineering):
    request = make_request(department=engineering, created_by=requester)
    first = decide(request, recommender=reviewer, decider=reviewer, outcome=RequestStatus.DECLINED)
    decide(request, recommender=reviewer, decider=approver)
    first.superseded = True
    first.save()
    [record] = request_records(PartnershipRequest.objects.all())
    assert record["decision"] == "Approved"
    assert record["approver"] == "approver"


class TestExportAuditCommand:
    def test_it_writes_a_csv_of_the_requests_created_in_the_period(self, tmp_path, portfolio):
        out = tmp_path / "audit.csv"
        call_command("export_audit", format="csv", out=str(out), since="2025-01-01")
        text = out.read_text(encoding="utf-8")
        assert text.startswith("\ufeffReference,")
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        assert {row["Reference"] for row in rows} == {
            portfolio["hostile"].reference,
            portfolio["other"].reference,
        }
        event = AuditEvent.objects.get(action="export.portfolio")
        assert event.changes["channel"] == "command"
        assert event.changes["rows"] == 2

    def test_it_writes_three_sheets_of_xlsx(self, tmp_path, portfolio):
        out = tmp_path / "audit.xlsx"
        call_command("export_audit", "--format", "xlsx", "--out", str(out), "--until", "2024-12-31")
        workbook = load_workbook(out)
        assert len(list(workbook["Requests"].values)) == 1 + 1
        assert len(list(workbook["Partners"].values)) == 1 + 2
        # Every event was recorded today, after the period.
        assert list(workbook["Audit events"].values)[1:] == []

    def test_its_audit_sheet_holds_the_events_of_the_period_including_its_own(
        self, tmp_path, portfolio
    ):
        out = tmp_path / "audit.xlsx"
        call_command("export_audit", "--format", "xlsx", "--out", str(out))
        rows = list(load_workbook(out)["Audit events"].values)[1:]
        assert [row[3] for row in rows] == ["export.portfolio"]
        assert rows[0][2] == "system"

    def test_it_writes_json_with_every_event_since_the_start(self, tmp_path, portfolio):
        out = tmp_path / "audit.json"
        call_command("export_audit", "--format", "json", "--out", str(out))
        document = json.loads(out.read_text(encoding="utf-8"))
        assert len(document["requests"]) == 3
        assert document["generated_by"] == "export_audit"

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"format": "pdf"}, "--format 'pdf' is not one of csv, xlsx, json."),
            ({"format": "csv", "since": "2025-13-01"}, "--since '2025-13-01' is not a date"),
            ({"format": "csv", "until": "yesterday"}, "--until 'yesterday' is not a date"),
            (
                {"format": "csv", "since": "2025-02-01", "until": "2025-01-01"},
                "--since must not be after --until.",
            ),
        ],
    )
    def test_it_refuses_bad_input_in_one_line(self, tmp_path, db, options, message):
        with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
            call_command("export_audit", out=str(tmp_path / "x"), **options)
        assert not AuditEvent.objects.exists()

    def test_it_refuses_a_folder_that_does_not_exist(self, tmp_path, db):
        with pytest.raises(CommandError, match="does not exist"):
            call_command("export_audit", format="csv", out=str(tmp_path / "missing" / "x.csv"))
