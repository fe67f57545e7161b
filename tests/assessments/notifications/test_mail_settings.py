"""Mail and link settings come from the environment; bad values stop start-up with one line."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHOW = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
    "s.EMAIL_USE_TLS, s.SITE_URL, s.NOTIFICATION_DIGEST_HOUR, sep='|')"
)


def run(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_smtp_settings_and_the_site_address_are_read_from_the_environment():
    result = run(
        "shell",
        "-v",
        "0",
        "-c",
        SHOW,
        EMAIL_HOST="smtp.example.ac.uk",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="ukcn",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="true",
        SITE_URL="https://ukcn.example.ac.uk",
        NOTIFICATION_DIGEST_HOUR="6",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "smtp.example.ac.uk",
        "587",
        "ukcn",
        "s3cret",
        "True",
        "https://ukcn.example.ac.uk",
        "6",
    ]


def test_the_site_address_defaults_to_the_development_server():
    result = run("shell", "-v", "0", "-c", SHOW)
    assert result.stdout.strip().split("|")[5] == "http://127.0.0.1:8000"


def test_a_site_address_without_a_scheme_stops_start_up():
    result = run("check", SITE_URL="ukcn.example.ac.uk")
    assert result.returncode != 0
    assert "SITE_URL='ukcn.example.ac.uk' must start with http:// or https://" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_digest_hour_outside_the_day_stops_start_up():
    result = run("check", NOTIFICATION_DIGEST_HOUR="24")
    assert result.returncode != 0
    assert "NOTIFICATION_DIGEST_HOUR=24 must be an hour from 0 to 23" in result.stderr
