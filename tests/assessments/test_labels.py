"""Pages people read show labels and full names; exports and the API keep the codes."""

from assessments.labels import readable_codes
from assessments.models import AuditEvent
from tests.conftest import audit_tampering

from .request_factories import make_request


def test_codes_in_a_summary_read_as_words():
    assert readable_codes("C-03 answered partly_met on PR-2026-0001") == (
        "C-03 answered partly met on PR-2026-0001"
    )
    assert readable_codes("tier very_high, not_applicable") == "tier very high, not applicable"
    # Words that are not codes, and single-word codes, stay as written.
    assert readable_codes("snake_case_words met high") == "snake_case_words met high"


def test_the_timeline_and_the_audit_report_show_labels_and_full_names(client, requester, reviewer):
    pr = make_request(requester)
    requester.first_name, requester.last_name = "Ffion", "Jones"
    requester.save()
    # Test set-up: a summary written with a code (as a superuser could; PostgreSQL's trigger
    # refuses the application).
    with audit_tampering():
        AuditEvent.objects.filter(request=pr).update(summary="C-03 answered partly_met")
    client.force_login(reviewer)
    page = client.get(pr.get_absolute_url()).content.decode()
    assert "C-03 answered partly met" in page and "partly_met" not in page
    assert "Ffion Jones" in page
    report = client.get(f"/requests/{pr.reference}/report/").content.decode()
    assert "C-03 answered partly met" in report and "partly_met" not in report
