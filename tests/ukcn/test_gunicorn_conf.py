"""gunicorn.conf.py: the production server's settings, with a clear line for a bad value."""

import multiprocessing
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_WORKERS", "GUNICORN_BIND", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_it_runs_one_sync_worker_more_than_the_cores(monkeypatch):
    conf = load(monkeypatch)
    assert conf["worker_class"] == "sync"
    assert conf["workers"] == multiprocessing.cpu_count() + 1
    assert conf["bind"] == "127.0.0.1:8001"
    assert conf["preload_app"] is True


def test_the_environment_sets_workers_bind_and_timeout(monkeypatch):
    conf = load(
        monkeypatch, GUNICORN_WORKERS="7", GUNICORN_BIND="0.0.0.0:9000", GUNICORN_TIMEOUT="90"
    )
    assert (conf["workers"], conf["bind"], conf["timeout"]) == (7, "0.0.0.0:9000", 90)


@pytest.mark.parametrize("value", ["three", "0", "-2"])
def test_a_bad_worker_count_stops_it_with_one_line(monkeypatch, value):
    with pytest.raises(SystemExit) as stopped:
        load(monkeypatch, GUNICORN_WORKERS=value)
    assert str(stopped.value) == (
        f"ukcn: configuration error: GUNICORN_WORKERS={value!r} is not a positive integer."
    )


def check_config(**env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", str(CONF), "--check-config", "ukcn.wsgi"],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_gunicorn_accepts_the_configuration():
    result = check_config()
    assert result.returncode == 0, result.stderr


def test_gunicorn_refuses_a_bad_value_with_one_line():
    result = check_config(GUNICORN_TIMEOUT="a minute")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "ukcn: configuration error: GUNICORN_TIMEOUT='a minute' is not a positive integer."
    )
