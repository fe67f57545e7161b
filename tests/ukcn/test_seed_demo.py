from django.contrib.auth import get_user_model
from django.core.management import call_command

from ukcn.models import Department
from ukcn.roles import Role


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(db, capsys):
    call_command("seed_demo")
    users = get_user_model().objects.count()
    departments = Department.objects.count()
    call_command("seed_demo")
    assert get_user_model().objects.count() == users
    assert Department.objects.count() == departments
    for role in Role:
        assert get_user_model().objects.filter(groups__name=role.value).exists(), role
    assert "password:" in capsys.readouterr().out


def test_seed_demo_creates_sample_requests_through_the_workflow_once(db, capsys):
    from assessments.audit import audit_verify_chain
    from assessments.models import AuditEvent, Organisation, PartnershipRequest

    call_command("seed_demo")
    requests = PartnershipRequest.objects.count()
    events = AuditEvent.objects.count()
    assert requests >= 6
    assert Organisation.objects.filter(name_native="清华大学").exists()
    statuses = set(PartnershipRequest.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "under_review", "recommended", "approved"} <= statuses
    assert PartnershipRequest.objects.values("department").distinct().count() >= 4
    years = {ref[3:7] for ref in PartnershipRequest.objects.values_list("reference", flat=True)}
    assert len(years) >= 2
    # Every sample went through the workflow, so each has its trail and the chain holds.
    # (The bulk demo portfolio, DEMO-…, is recorded as one import event instead.)
    workflow_samples = PartnershipRequest.objects.filter(reference__startswith="PR-")
    assert not workflow_samples.filter(audit_events__isnull=True).exists()
    assert audit_verify_chain().ok
    call_command("seed_demo")
    assert PartnershipRequest.objects.count() == requests
    assert AuditEvent.objects.count() == events
    assert f"0 created, {workflow_samples.count()} already there" in capsys.readouterr().out


def test_seed_demo_loads_the_checklist_and_the_scoring_policy(db, capsys):
    from assessments.models import ChecklistItem, ScoringPolicy

    call_command("seed_demo")
    assert ChecklistItem.objects.filter(is_active=True).count() == 14
    assert ScoringPolicy.objects.filter(is_active=True).count() == 1


def test_seed_demo_imports_the_demo_watchlist_once(db, capsys):
    from assessments.models import WatchlistVersion

    call_command("seed_demo")
    call_command("seed_demo")
    version = WatchlistVersion.objects.get()
    assert version.status == "active" and version.entry_count == 12
    nudt = version.entries.get(name="National University of Defense Technology")
    assert "国防科技大学" in nudt.aliases and nudt.risk_level == "very_high"
    assert "no new version created" in capsys.readouterr().out
