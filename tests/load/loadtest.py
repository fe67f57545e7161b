"""`make load`: gunicorn with production settings on PostgreSQL, simulated users on loopback.

Starts a throwaway PostgreSQL database, migrates and seeds it, serves it with gunicorn
(DEBUG off), then runs a bounded number of concurrent simulated users for a fixed time,
first against a trivial view (the baseline) and then through the real pages. Prints and
writes the figures to var/bench/load.json. Traffic goes to 127.0.0.1 only.
"""

import argparse
import base64
import json
import os
import re
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DEMO_PASSWORD = "ukcn-demo-pass-2026"  # the demo accounts' published password


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEYS="load:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        # __Host- cookies must be Secure, which plain http on loopback cannot carry: the load
        # test names them as development does (production keeps the prefix).
        SESSION_COOKIE_NAME="sessionid",
        CSRF_COOKIE_NAME="csrftoken",
        # The simulated approvers log in with a password only: the load test measures the
        # pages, not the second factor (which production requires of them and of staff).
        MFA_REQUIRED="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        # No mail server on loopback: notifications are built but not sent.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # The per-user screening rate limit would turn a busy simulated reviewer into 429s.
        API_SCREENING_RATE="100000/min",
    )
    return env


def prepare_database(database_url: str, env: dict) -> None:
    for command in (
        ["migrate", "--no-input", "-v0"],
        ["seed_demo", "--i-know-this-is-not-production"],
        ["collectstatic", "--no-input", "-v0"],
    ):
        subprocess.run(
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """gunicorn with the project's production configuration (gunicorn.conf.py)."""
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "ukcn.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    # Workers import the whole app; on a busy 2-core machine that takes a while.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.terminate()
    process.wait(timeout=30)
    raise SystemExit("gunicorn did not start")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_kind: dict[str, list[float]] = {}
        self.errors_5xx = 0
        self.errors_other = 0

    def add(self, seconds: float, status: int, kind: str = "browse") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind.setdefault(kind, []).append(seconds)
            if status >= 500:
                self.errors_5xx += 1
            elif status >= 400:
                self.errors_other += 1

    def summary(self, duration: float) -> dict:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "requests": len(self.latencies),
            "throughput_rps": round(len(self.latencies) / duration, 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p95_ms": round(
                ordered[int(len(ordered) * 0.95) - 1 if len(ordered) > 1 else 0] * 1000, 1
            ),
            "errors_5xx": self.errors_5xx,
            "errors_4xx": self.errors_other,
            "by_kind": {
                kind: {"requests": len(values), "p95_ms": percentile_ms(values, 0.95)}
                for kind, values in sorted(self.by_kind.items())
            },
        }


def percentile_ms(values: list[float], fraction: float) -> float:
    ordered = sorted(values) or [0.0]
    return round(ordered[max(0, int(len(ordered) * fraction) - 1)] * 1000, 1)


def timed(session, stats: Stats, method: str, url: str, kind: str = "browse", **kwargs):
    started = time.perf_counter()
    response = session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
    stats.add(time.perf_counter() - started, response.status_code, kind)
    return response


def log_in(session: requests.Session, base: str, username: str) -> None:
    session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {username}: {response.status_code}")


def baseline_user(base: str, stats: Stats, stop: float) -> None:
    session = requests.Session()
    while time.monotonic() < stop:
        timed(session, stats, "GET", f"{base}/healthz")


REFERENCE_LINK = re.compile(r'href="/requests/((?:PR|DEMO)-[A-Za-z0-9-]+)/"')
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
SCREEN_NAMES = [
    ("Harbin Engineering University", "CN"),
    ("Beihang Univ.", "CN"),
    ("Nanjing University of Science & Technology", "CN"),
    ("University of Edinburgh", "GB"),
    ("Southeast University", "CN"),
]


def request_form_data(hidden: dict, n: int) -> dict:
    """A complete new-request form: the page's hidden fields (CSRF, formset counts) and ours."""
    return {
        **hidden,
        "title": f"Load test exchange {n}",
        "summary": "Two visiting researchers and a joint workshop.",
        "lead_academic": "Dr Load Tester",
        "collaboration_type": "joint_project",
        "work_location": "both",
        "no_nsi_sector": "on",
        "people_exchanged": "2",
        "partners-0-name": "Southeast University",
        "partners-0-country": "CN",
        "partners-0-org_type": "university",
        "partners-0-role": "Co-investigator",
        "partners-1-name": "University of Edinburgh",
        "partners-1-country": "GB",
        "partners-1-org_type": "university",
        "partners-1-role": "Co-lead",
        "funding-0-funder_name": "UKRI",
        "funding-0-country": "GB",
        "funding-0-funder_type": "uk_public",
        "funding-0-amount": "50000",
        "funding-0-currency": "GBP",
    }


def submit_request(session: requests.Session, base: str, stats: Stats, n: int) -> None:
    """Register a request through the form (with its CSRF token) and submit it for review."""
    form = timed(session, stats, "GET", f"{base}/requests/new/", kind="GET /requests/new/")
    hidden = dict(HIDDEN_INPUT.findall(form.text))
    created = timed(
        session,
        stats,
        "POST",
        f"{base}/requests/new/",
        kind="register",
        data=request_form_data(hidden, n),
        headers={"Referer": f"{base}/requests/new/"},
    )
    if created.status_code != 302:
        stats.add(0.0, 422, "register")  # the form refused our data: counted as an error
        return
    detail = created.headers["Location"]
    reference = detail.rstrip("/").rsplit("/", 1)[-1]
    timed(
        session,
        stats,
        "POST",
        f"{base}/requests/{reference}/actions/submit/",
        kind="submit",
        data={"csrfmiddlewaretoken": session.cookies.get("csrftoken")},
        headers={"Referer": f"{base}{detail}"},
    )


def screen_names(session: requests.Session, base: str, stats: Stats, n: int) -> None:
    """Screen a name through the API (`POST /api/v1/screen`), as the browser session would."""
    name, country = SCREEN_NAMES[n % len(SCREEN_NAMES)]
    timed(
        session,
        stats,
        "POST",
        f"{base}/api/v1/screen",
        kind="POST /api/v1/screen",
        json={"name": name, "country": country},
        headers={"X-CSRFToken": session.cookies.get("csrftoken"), "Referer": f"{base}/"},
    )


def journey_user(base: str, stats: Stats, stop: float, username: str, paths: list[str]) -> None:
    """Log in, then loop: the user's pages, a request page, a guidance search, and the
    role's work (requesters register and submit a request, reviewers screen names)."""
    session = requests.Session()
    log_in(session, base, username)
    listing = session.get(f"{base}/requests/", timeout=30).text
    references = REFERENCE_LINK.findall(listing)[:10] or [None]
    n = 0
    while time.monotonic() < stop:
        n += 1
        for path in paths:
            if time.monotonic() >= stop:
                return
            timed(session, stats, "GET", f"{base}{path}", kind=f"GET {path}")
        reference = references[n % len(references)]
        if reference:
            timed(session, stats, "GET", f"{base}/requests/{reference}/", kind="request page")
        timed(
            session,
            stats,
            "GET",
            f"{base}/guidance/",
            kind="guidance search",
            params={"q": "export control"},
        )
        if username.startswith("requester"):
            submit_request(session, base, stats, n)
        elif username.startswith("reviewer"):
            screen_names(session, base, stats, n)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process: (parent, command name, CPU seconds of it and its reaped children)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # After the name: state, ppid, ...; utime, stime, cutime, cstime are fields 11-14.
        found[int(entry.name)] = (int(fields[1]), name, sum(map(int, fields[11:15])) / CLOCK_TICKS)
    return found


def _tree_seconds(processes: dict, root: int) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _name, _seconds) in processes.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += processes.get(pid, (0, "", 0.0))[2]
        stack.extend(children.get(pid, ()))
    return total


def cpu_snapshot(server_pid: int) -> dict:
    """CPU seconds used so far by gunicorn (master and workers), PostgreSQL and this driver."""
    processes = _processes()
    postmasters = [
        pid
        for pid, (parent, name, _seconds) in processes.items()
        if name == "postgres" and processes.get(parent, (0, "", 0.0))[1] != "postgres"
    ]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "server": _tree_seconds(processes, server_pid),
        # None when PostgreSQL runs on another machine, where we cannot see it.
        "database": sum(_tree_seconds(processes, pid) for pid in postmasters)
        if postmasters
        else None,
        "load_driver": usage.ru_utime + usage.ru_stime,
    }


def _cpu_used(before: dict, after: dict, requests_made: int) -> dict:
    used = {
        part: None if before[part] is None else round(after[part] - before[part], 1)
        for part in before
    }
    return {
        "cpu_seconds": used,
        "server_cpu_ms_per_request": round(used["server"] * 1000 / max(requests_made, 1), 1),
    }


def run_phase(target, users: int, seconds: float, per_user, server_pid: int) -> dict:
    stats = Stats()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=target, kwargs={"stats": stats, "stop": stop, **per_user(i)})
        for i in range(users)
    ]
    cpu_before = cpu_snapshot(server_pid)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = stats.summary(time.monotonic() - started)
    return {**summary, **_cpu_used(cpu_before, cpu_snapshot(server_pid), summary["requests"])}


JOURNEY_PATHS = ["/", "/requests/"]
USERS = ["reviewer", "reviewer2", "approver", "auditor", "requester", "requester2"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, default=None, help="default: gunicorn.conf.py's (cores + 1)"
    )
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    workers = args.workers or (os.cpu_count() or 1) + 1  # gunicorn.conf.py's default

    dbname = f"ukcn_load_{os.getpid()}"
    subprocess.run(
        ["psql", f"{args.pg}/postgres", "-qc", f'CREATE DATABASE "{dbname}"'], check=True
    )
    database_url = f"{args.pg}/{dbname}"
    env = server_env(database_url)
    server = None
    try:
        prepare_database(database_url, env)
        server = start_gunicorn(env, args.port, workers)
        base = f"http://127.0.0.1:{args.port}"
        baseline = run_phase(
            baseline_user,
            args.users,
            args.seconds / 4,
            per_user=lambda i: {"base": base},
            server_pid=server.pid,
        )
        journeys = run_phase(
            journey_user,
            args.users,
            args.seconds,
            per_user=lambda i: {
                "base": base,
                "username": USERS[i % len(USERS)],
                "paths": JOURNEY_PATHS,
            },
            server_pid=server.pid,
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        subprocess.run(
            ["psql", f"{args.pg}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{dbname}"'],
            check=False,
        )

    result = {
        "users": args.users,
        "cores": os.cpu_count(),
        "seconds": args.seconds,
        "workers": workers,
        "worker_class": "sync",
        "baseline_trivial_view": baseline,
        "journeys": journeys,
        "p95_ratio_to_baseline": round(journeys["p95_ms"] / max(baseline["p95_ms"], 0.1), 1),
        "throughput_ratio_to_baseline": round(
            journeys["throughput_rps"] / max(baseline["throughput_rps"], 0.1), 3
        ),
    }
    out = ROOT / "var" / "bench" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    # A 4xx in a scripted journey is a broken journey, so it fails the run too.
    ok = journeys["errors_5xx"] == 0 and journeys["errors_4xx"] == 0 and journeys["p95_ms"] < 500
    print("load test:", "PASS" if ok else "FAIL", "(target: no errors, p95 < 500 ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
