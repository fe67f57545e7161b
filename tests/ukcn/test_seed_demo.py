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


def test_seed_demo_imports_the_demo_watchlist_once(db, capsys):
    from assessments.models import WatchlistVersion

    call_command("seed_demo")
    call_command("seed_demo")
    version = WatchlistVersion.objects.get()
    assert version.status == "active" and version.entry_count == 12
    nudt = version.entries.get(name="National University of Defense Technology")
    assert "国防科技大学" in nudt.aliases and nudt.risk_level == "very_high"
    assert "no new version created" in capsys.readouterr().out
