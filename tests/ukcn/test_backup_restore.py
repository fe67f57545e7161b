"""The documented backup and restore keep the audit trail verifiable (docs/operations.md, "Backup and restore")."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = "postgres://postgres@127.0.0.1:5432"

WRITE_EVENTS = """
from django.contrib.auth import get_user_model
from assessments.audit import audit_record
user = get_user_model().objects.create_user("backup-check")
for n in range(25):
    audit_record(actor=user, action="test", summary=f"event {n} 北京", changes={"n": n}, ip="2001:db8::1")
"""


def manage(database_url, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=check,
    )


def test_sqlite_backup_wipe_restore_keeps_the_chain_verifiable(tmp_path):
    live = tmp_path / "live.sqlite3"
    url = f"sqlite:///{live}"
    manage(url, "migrate", "-v0")
    manage(url, "shell", "-c", WRITE_EVENTS)

    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(live) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    live.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copy(backup, live)

    result = manage(url, "verify_audit_log")
    assert "audit log intact: 25 events verified" in result.stdout

    with sqlite3.connect(live) as db:
        db.execute("UPDATE assessments_auditevent SET summary = 'forged' WHERE id = 7")
    result = manage(url, "verify_audit_log", check=False)
    assert result.returncode != 0
    assert "audit log broken at event 7" in result.stderr


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs PostgreSQL client tools")
def test_postgresql_dump_wipe_restore_keeps_the_chain_verifiable(tmp_path):
    name = f"ukcn_backup_{os.getpid()}"
    url = f"{PG}/{name}"

    def psql(sql):
        subprocess.run(["psql", f"{PG}/postgres", "-qc", sql], check=True, capture_output=True)

    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    try:
        manage(url, "migrate", "-v0")
        manage(url, "shell", "-c", WRITE_EVENTS)
        dump = tmp_path / "ukcn.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), url], check=True)
        psql(f'DROP DATABASE "{name}"')
        psql(f'CREATE DATABASE "{name}"')
        subprocess.run(["pg_restore", "--no-owner", "-d", url, str(dump)], check=True)
        result = manage(url, "verify_audit_log")
        assert "audit log intact: 25 events verified" in result.stdout
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}"')
