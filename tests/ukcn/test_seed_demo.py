import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from demo.management.commands.seed_demo import USERS
from ukcn.models import Department, RoleAssignment
from ukcn.roles import Role, has_department_role

README = Path(__file__).resolve().parents[2] / "README.md"


def test_seed_demo_gives_every_role_to_a_demo_account_and_is_idempotent(db, capsys):
    from assessments.models import AuditEvent, PartnershipRequest

    call_command("seed_demo", "--i-know-this-is-not-production")
    counts = [
        model.objects.count()
        for model in (get_user_model(), Department, RoleAssignment, PartnershipRequest, AuditEvent)
    ]
    call_command("seed_demo", "--i-know-this-is-not-production")
    assert counts == [
        model.objects.count()
        for model in (get_user_model(), Department, RoleAssignment, PartnershipRequest, AuditEvent)
    ]
    for role in Role:
        assert RoleAssignment.objects.filter(role=role).exists(), role
    users = get_user_model().objects
    engineering = Department.objects.get(code="engineering")
    assert has_department_role(users.get(username="requester"), engineering.pk, Role.REQUESTER)
    assert has_department_role(users.get(username="head"), engineering.pk, Role.HEAD_OF_DEPARTMENT)
    out = capsys.readouterr().out
    assert "head        Head of department (engineering)" in out
    assert "senior      Senior officer" in out


def test_the_readme_lists_the_demo_accounts_seed_demo_creates(db):
    rows = re.findall(r"^\| `([\w-]+)` \| ([^|]+?) \|$", README.read_text(), flags=re.M)
    expected = [
        (username, f"{role.label} ({department})" if department else role.label)
        for username, _name, role, department in USERS
    ]
    assert rows == [*expected, ("admin", "Administrator")]


def test_seed_demo_creates_sample_requests_through_the_workflow_once(db, capsys):
    from assessments.audit import audit_verify_chain
    from assessments.models import AuditEvent, Organisation, PartnershipRequest

    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    requests = PartnershipRequest.objects.count()
    events = AuditEvent.objects.count()
    assert requests >= 6
    assert Organisation.objects.filter(name_native="清华大学").exists()
    statuses = set(PartnershipRequest.objects.values_list("status", flat=True))
    assert {
        "draft",
        "submitted",
        "under_review",
        "recommended",
        "awaiting_sign_off",
        "approved",
    } <= statuses
    assert PartnershipRequest.objects.values("department").distinct().count() >= 4
    years = {ref[3:7] for ref in PartnershipRequest.objects.values_list("reference", flat=True)}
    assert len(years) >= 2
    # Every sample went through the workflow, so each has its trail and the chain holds.
    assert not PartnershipRequest.objects.filter(audit_events__isnull=True).exists()
    assert audit_verify_chain().ok
    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    assert PartnershipRequest.objects.count() == requests
    assert AuditEvent.objects.count() == events
    assert f"0 created, {requests} already there" in capsys.readouterr().out


def test_the_demo_leaves_a_decision_waiting_for_each_kind_of_sign_off(db):
    from assessments.models import SignOff
    from assessments.workflow import request_actions_for

    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    waiting = SignOff.objects.filter(
        status="pending", decision__request__status="awaiting_sign_off"
    )
    assert set(waiting.values_list("role", flat=True)) == {
        Role.HEAD_OF_DEPARTMENT,
        Role.SENIOR_OFFICER,
    }
    head = get_user_model().objects.get(username="head")
    senior = get_user_model().objects.get(username="senior")
    for sign_off in waiting.select_related("request"):
        signer = head if sign_off.role == Role.HEAD_OF_DEPARTMENT else senior
        assert "sign_off" in request_actions_for(signer, sign_off.request)


def test_seed_demo_loads_the_checklist_and_the_scoring_policy(db, capsys):
    from assessments.models import ChecklistItem, ScoringPolicy

    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    assert (
        ChecklistItem.objects.filter(is_active=True).count() == 21
    )  # 13 good practices and 8 risk controls
    assert ScoringPolicy.objects.filter(is_active=True).count() == 1


def test_seed_demo_imports_the_real_lists_once(db, capsys):
    from assessments.models import EntryRiskOverride, Watchlist, WatchlistVersion

    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    first = capsys.readouterr().out
    assert (
        "UK Sanctions List (excerpts): 9 rows read, 9 added, 29 removed, 0 changed; version v2"
        in first
    )
    call_command("seed_demo", "--i-know-this-is-not-production", "--no-portfolio")
    again = capsys.readouterr().out
    assert "UK Sanctions List (excerpts): uk-sanctions-list.sample.xml already imported." in again
    counts = {
        watchlist.name: [
            (v.number, v.status, v.entry_count) for v in watchlist.versions.order_by("number")
        ]
        for watchlist in Watchlist.objects.all()
    }
    assert counts == {
        "ASPI China Defence Universities Tracker": [(1, "active", 159)],
        "Canada: Named Research Organizations": [(1, "active", 103)],
        "US DoD Section 1260H Chinese military companies": [(1, "active", 209)],
        "UK Sanctions List (excerpts)": [(1, "superseded", 29), (2, "active", 9)],
    }
    aspi = WatchlistVersion.objects.get(watchlist__format="aspi")
    nudt = aspi.entries.get(name="National University of Defense Technology")
    # The MISP copy has no rating, and no rating with its source ships with ukcn: none is set.
    assert "中国人民解放军国防科技大学" in nudt.aliases and nudt.risk_level == "listed"
    assert not EntryRiskOverride.objects.exists()
    sanctions = Watchlist.objects.get(format="uk-sanctions")
    assert (sanctions.legal_effect, sanctions.blocking) == ("prohibited_unless_licensed", True)


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off: refused"):
        call_command("seed_demo", "--no-portfolio")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_seed_demo_runs_with_debug_off_when_told_this_is_not_production(db, settings):
    settings.DEBUG = False
    call_command("seed_demo", "--no-portfolio", "--i-know-this-is-not-production")
    assert get_user_model().objects.filter(username="requester").exists()


def test_seed_demo_runs_with_debug_on(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--no-portfolio")
    assert get_user_model().objects.filter(username="requester").exists()


def test_the_load_test_tells_seed_demo_it_is_not_production():
    loadtest = (Path(__file__).resolve().parents[1] / "load" / "loadtest.py").read_text()
    assert '["seed_demo", "--i-know-this-is-not-production"]' in loadtest
