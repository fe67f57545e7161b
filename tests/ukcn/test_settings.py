"""Settings are read from the environment and a bad value stops start-up with one clear line."""

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AUDIT_KEY = "k1:" + base64.b64encode(b"k" * 32).decode()
# What production needs besides DEBUG off: a real secret key and an audit HMAC key.
PRODUCTION = {"DEBUG": "off", "SECRET_KEY": "x" * 50, "AUDIT_HMAC_KEYS": AUDIT_KEY}
UNSET = {"DEBUG", "SECRET_KEY", "AUDIT_HMAC_KEYS", "AUDIT_HMAC_KEY_ID"}


def run_check(*command, **env):
    environment = {k: v for k, v in os.environ.items() if k not in UNSET}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *(command or ["check"])],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_starts_with_development_defaults():
    result = run_check()
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_it_rejects_a_debug_value_that_is_not_a_boolean(value):
    result = run_check(DEBUG=value)
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_refuses_production_without_a_secret_key():
    result = run_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_production_with_a_weak_secret_key():
    result = run_check(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_it_starts_in_production_with_a_real_secret_key():
    result = run_check(**PRODUCTION, ALLOWED_HOSTS="ukcn.example.ac.uk")
    assert result.returncode == 0, result.stderr


def test_it_refuses_production_without_an_audit_hmac_key():
    result = run_check(DEBUG="off", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "AUDIT_HMAC_KEYS must be set when DEBUG is off" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3ODkwYWI=", "entry 1 is not id:base64key"),
        ("k1:not base64!", "key 'k1' is not base64"),
        ("k1:c2hvcnQ=", "key 'k1' is too short"),
        (f"{AUDIT_KEY},{AUDIT_KEY}", "names the key id 'k1' twice"),
    ],
)
def test_it_rejects_a_bad_audit_key_in_one_line_without_echoing_it(keys, message):
    result = run_check(**{**PRODUCTION, "AUDIT_HMAC_KEYS": keys})
    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "c2Vj" not in result.stderr and "c2hv" not in result.stderr


def test_several_audit_keys_need_the_current_one_named():
    keys = f"{AUDIT_KEY},k2:" + base64.b64encode(b"n" * 32).decode()
    result = run_check(**{**PRODUCTION, "AUDIT_HMAC_KEYS": keys})
    assert "AUDIT_HMAC_KEY_ID='' must name one of the AUDIT_HMAC_KEYS ids (k1, k2)" in result.stderr
    result = run_check(**{**PRODUCTION, "AUDIT_HMAC_KEYS": keys, "AUDIT_HMAC_KEY_ID": "k3"})
    assert "AUDIT_HMAC_KEY_ID='k3' must name one of" in result.stderr
    result = run_check(**{**PRODUCTION, "AUDIT_HMAC_KEYS": keys, "AUDIT_HMAC_KEY_ID": "k2"})
    assert result.returncode == 0, result.stderr


def test_development_derives_an_audit_key_so_it_runs_without_configuration():
    result = run_check(
        "shell", "-c", "from django.conf import settings; print(settings.AUDIT_HMAC_KEY_ID)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "dev"


def conn_max_age(**env) -> str:
    result = run_check(
        "shell",
        "-c",
        "from django.db import connection; print(connection.settings_dict['CONN_MAX_AGE'])",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()[-1]  # after shell's note on what it imported


def test_production_keeps_database_connections_open_between_requests():
    assert conn_max_age(**PRODUCTION) == "60"


def test_development_opens_a_connection_per_request_as_runserver_needs():
    assert conn_max_age() == "0"


def test_the_connection_lifetime_can_be_set():
    assert conn_max_age(**PRODUCTION, DB_CONN_MAX_AGE="300") == "300"


def test_it_rejects_a_database_url_it_cannot_read():
    result = run_check(DATABASE_URL="nonsense://what")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_it_rejects_csrf_origins_without_a_scheme():
    result = run_check(CSRF_TRUSTED_ORIGINS="ukcn.example.ac.uk")
    assert result.returncode != 0
    assert "must start with http:// or https://" in result.stderr


def test_it_rejects_a_non_numeric_integer_setting():
    result = run_check(SESSION_COOKIE_AGE="eight hours")
    assert result.returncode != 0
    assert "SESSION_COOKIE_AGE='eight hours' is not a whole number" in result.stderr


def test_it_speaks_uk_english_in_london_time(settings):
    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("TASKS_BACKEND", "celery", "TASKS_BACKEND='celery' is not one of database, immediate"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' is not one of DEBUG, INFO"),
        ("API_SCREENING_RATE", "fast", "API_SCREENING_RATE='fast' is not a rate"),
        ("API_SCREENING_RATE", "0/min", "API_SCREENING_RATE='0/min' is not a rate"),
    ],
)
def test_it_rejects_settings_that_name_nothing_it_knows(name, value, says):
    result = run_check(**{name: value})
    assert result.returncode != 0
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_the_settings_creates_no_folder(tmp_path):
    # A read-only deployment must be able to import the settings: folders are made on start-up.
    code = (
        "import os, sys; sys.path.insert(0, os.getcwd()); "
        "os.environ['DATABASE_URL'] = 'sqlite:///' + sys.argv[1] + '/db/ukcn.sqlite3'; "
        "import ukcn.settings"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "db").exists()
    started = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db/ukcn.sqlite3")
    assert started.returncode == 0, started.stderr
    assert (tmp_path / "db").is_dir()


def test_the_suite_never_clears_the_developers_cache():
    from django.conf import settings
    from django.core.cache import caches

    assert Path(caches["shared"]._dir) != ROOT / "var" / "cache"
    assert Path(settings.CACHES["shared"]["LOCATION"]) != ROOT / "var" / "cache"
