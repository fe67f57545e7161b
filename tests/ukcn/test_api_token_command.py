from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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


def test_an_unknown_user_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("api_token_create", "nobody")
