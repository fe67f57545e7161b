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


def test_seed_demo_loads_the_checklist_and_the_scoring_policy(db, capsys):
    from assessments.models import ChecklistItem, ScoringPolicy

    call_command("seed_demo")
    assert ChecklistItem.objects.filter(is_active=True).count() == 14
    assert ScoringPolicy.objects.filter(is_active=True).count() == 1
