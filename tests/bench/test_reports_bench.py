"""Portfolio exports, the dashboard and the annual summary PDF at 10,000 requests."""

import time
import tracemalloc

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Partner, PartnershipRequest
from assessments.reports.exports import export_csv, export_events, export_xlsx
from demo.portfolio import demo_portfolio_seed

TARGET = 10_000


def _peak(action) -> tuple[float, int]:
    """Seconds and peak traced memory (bytes) of one run of `action`."""
    tracemalloc.start()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _drain(chunks) -> int:
    return sum(len(chunk) for chunk in chunks)


def test_exports_dashboard_and_summary_at_ten_thousand_requests(
    db, client, tmp_path, bench_record, django_db_blocker
):
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    started = time.perf_counter()
    # Ten thousand requests through the workflow would take most of an hour: bulk outcomes.
    demo_portfolio_seed(
        count=TARGET - PartnershipRequest.objects.count(),
        prefix="BENCH",
        seed=7,
        through_workflow=False,
    )
    build = time.perf_counter() - started
    everything = PartnershipRequest.objects.all()
    assert everything.count() == TARGET
    first_thousand = PartnershipRequest.objects.filter(
        pk__in=list(everything.order_by("id").values_list("pk", flat=True)[:1000])
    )

    csv_seconds = _timed(lambda: _drain(export_csv(everything)))
    csv_bytes = _drain(export_csv(everything))
    _, csv_peak_1k = _peak(lambda: _drain(export_csv(first_thousand)))
    _, csv_peak_10k = _peak(lambda: _drain(export_csv(everything)))
    with CaptureQueriesContext(connection) as csv_queries:
        _drain(export_csv(everything))
    bench_record(
        "export_csv_10k",
        {
            "requests": TARGET,
            "partners": Partner.objects.count(),
            "seconds": round(csv_seconds, 2),
            "bytes": csv_bytes,
            "queries": len(csv_queries),
            "peak_traced_mb_1k_rows": round(csv_peak_1k / 2**20, 2),
            "peak_traced_mb_10k_rows": round(csv_peak_10k / 2**20, 2),
            "database": connection.vendor,
            "build_seconds": round(build, 1),
        },
    )
    assert csv_peak_10k < 3 * csv_peak_1k

    out = tmp_path / "export.xlsx"

    def xlsx(requests):
        return lambda: export_xlsx(out, requests, events=export_events(requests=requests))

    xlsx_seconds = _timed(xlsx(everything))
    xlsx_size = out.stat().st_size
    _, xlsx_peak_1k = _peak(xlsx(first_thousand))
    _, xlsx_peak_10k = _peak(xlsx(everything))
    bench_record(
        "export_xlsx_10k",
        {
            "requests": TARGET,
            "seconds": round(xlsx_seconds, 2),
            "bytes": xlsx_size,
            "peak_traced_mb_1k_rows": round(xlsx_peak_1k / 2**20, 2),
            "peak_traced_mb_10k_rows": round(xlsx_peak_10k / 2**20, 2),
            "database": connection.vendor,
        },
    )
    assert xlsx_peak_10k < 3 * xlsx_peak_1k

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="reviewer"))
    client.get("/")  # warm templates and imports

    def dashboard(*, cached: bool) -> tuple[list[float], int, object]:
        """Three page loads; without `cached`, the portfolio figures are computed each time."""
        timings = []
        for _ in range(3):
            if not cached:
                cache.clear()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/")
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        return timings, len(queries), response

    computed, computed_queries, response = dashboard(cached=False)
    cached, cached_queries, _ = dashboard(cached=True)
    bench_record(
        "dashboard_10k",
        {
            "requests": TARGET,
            "seconds_best_of_3": round(min(computed), 3),
            "seconds_worst_of_3": round(max(computed), 3),
            "queries": computed_queries,
            "cached_seconds_best_of_3": round(min(cached), 3),
            "cached_queries": cached_queries,
            "html_bytes": len(response.content),
            "database": connection.vendor,
        },
    )

    year = timezone.localdate().year - 1
    client.get(f"/reports/annual/{year}.pdf")
    started = time.perf_counter()
    response = client.get(f"/reports/annual/{year}.pdf")
    bench_record(
        "annual_summary_pdf_10k",
        {
            "requests": TARGET,
            "year": year,
            "seconds": round(time.perf_counter() - started, 2),
            "pdf_bytes": len(response.content),
            "database": connection.vendor,
        },
    )


def test_one_audit_report_pdf(db, client, tmp_path, bench_record, settings):
    """Server time, queries and size of one request's audit PDF, for a fully reviewed request."""
    import subprocess

    from django.contrib.auth import get_user_model

    from tests.assessments.reports.audit_report_data import reviewed_request

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = get_user_model().objects
    request = reviewed_request(
        requester=users.get(username="requester"),
        reviewer=users.get(username="reviewer"),
        approver=users.get(username="approver"),
    )
    client.force_login(users.get(username="auditor"))
    url = f"/requests/{request.reference}/report.pdf"
    client.get(url)  # warm fonts, templates and imports
    timings = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = next(int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:"))
    bench_record(
        "audit_report_pdf",
        {
            "reference": request.reference,
            "timeline_events": request.audit_events.count(),
            "seconds_best_of_3": round(min(timings), 3),
            "seconds_worst_of_3": round(max(timings), 3),
            "queries": len(queries),
            "pdf_bytes": len(response.content),
            "pages": pages,
            "database": connection.vendor,
        },
    )
