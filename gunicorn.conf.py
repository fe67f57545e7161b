"""gunicorn's settings for ukcn: `gunicorn -c gunicorn.conf.py ukcn.wsgi`.

Synchronous workers, one more than the machine's cores: ukcn's pages are CPU-bound Django
views, and a sync worker per core keeps latency even under load (requests wait their turn
in the listen queue instead of sharing a core through the GIL). On the 2-core development
machine `make load` measured p95 355-410 ms at 20 busy users with sync x 3 against 760 ms
with gthread 4 x 2. Sync workers need a buffering reverse proxy (nginx, Apache) in front,
as the README's deployment section sets up.
"""

import multiprocessing
import os


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"ukcn: configuration error: {name}={raw!r} is not a positive integer.")
    return int(raw)


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = _positive_int("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = _positive_int("GUNICORN_TIMEOUT", 60)
# Restart a worker now and then, so that a slow leak cannot grow without bound; with the
# app loaded once in the master (no database connection is opened at import), a restarted
# worker is ready at once instead of importing Django and ukcn again mid-traffic.
max_requests = 5000
max_requests_jitter = 500
preload_app = True


def pre_fork(server, worker):
    """Before each fork (first start, and a worker restarted after max_requests): the master
    takes the newest screening index snapshot if one was written since it last looked, so
    the new worker starts with it and shares its pages instead of loading its own."""
    if os.environ.get("UKCN_SCREENING_PRELOAD", "1") == "0":
        return
    try:
        from assessments.screening.service import preload_screening_index
    except Exception:  # the application is not loaded in the master (no preload)
        return
    preload_screening_index()
