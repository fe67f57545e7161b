from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import AuditEvent
from ukcn.api_tokens import api_token_check


def test_the_command_prints_a_working_secret_once(reviewer):
    out = StringIO()
    call_command(
        "api_token_create", "reviewer", "--name", "CRM sync", stdout=out, stderr=StringIO()
    )
    secret = out.getvalue().strip()
    token = api_token_check(secret)
    assert token.user == reviewer and token.name == "CRM sync"
    assert secret not in token.token_hash


def test_the_command_records_the_issue_in_the_audit_trail(reviewer):
    call_command(
        "api_token_create", "reviewer", "--name", "CRM sync", stdout=StringIO(), stderr=StringIO()
    )
    event = AuditEvent.objects.get(action="api_token.issued")
    assert event.actor is None
    assert event.summary.startswith("Issued API token 'CRM sync' (")
    assert event.summary.endswith(") for reviewer from the command line")


def test_an_unknown_user_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("api_token_create", "nobody")
