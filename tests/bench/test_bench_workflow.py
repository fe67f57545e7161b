"""Concurrent registrations: distinct references and an unbroken audit chain under load."""

import threading
import time

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import workflow
from assessments.audit import audit_verify_chain
from assessments.models import AuditEvent, PartnershipRequest
from tests.assessments.request_factories import add_role, facts, make_request
from tests.conftest import reload_reference_data

THREADS = 4
PER_THREAD = 25


def _requester(username, department):
    from django.contrib.auth import get_user_model

    from ukcn.models import Profile

    user = get_user_model().objects.create_user(username=username, password="x" * 16)
    Profile.objects.create(user=user, department=department)
    return add_role(user, "requester", department)


def test_concurrent_registrations_get_distinct_references_and_one_chain(
    transactional_db, bench_record
):
    reload_reference_data()
    from ukcn.models import Department

    engineering = Department.objects.create(name="Engineering", code="engineering")
    # pytest-django's SQLite test database lives in memory with table-level locks, so only
    # one writer thread can work there; concurrency is measured on PostgreSQL.
    threads_used = THREADS if connection.vendor == "postgresql" else 1
    users = [_requester(f"req{i}", engineering) for i in range(threads_used)]
    make_request(users[0])  # the organisation exists before the threads start
    errors = []
    barrier = threading.Barrier(threads_used)

    def register(user):
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                pr = workflow.request_create(actor=user, facts=facts())
                workflow.request_submit(actor=user, request=pr)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=register, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    total = threads_used * PER_THREAD + 1
    references = list(PartnershipRequest.objects.values_list("reference", flat=True))
    report = audit_verify_chain()
    bench_record(
        "workflow_concurrent_registrations",
        {
            "database": connection.vendor,
            "threads": threads_used,
            "requests": total,
            "seconds": round(elapsed, 3),
            "requests_per_second": round((total - 1) / elapsed, 1),
            "errors": errors[:5],
            "audit_events": AuditEvent.objects.count(),
            "chain_ok": report.ok,
        },
    )
    assert not errors
    assert len(references) == len(set(references)) == total
    assert report.ok, report


def test_request_list_queries_and_time_with_a_thousand_requests(
    client, requester, reviewer, bench_record
):
    for i in range(1000):
        make_request(requester, title=f"Request {i}")
    client.force_login(reviewer)
    url = reverse("assessments:request_list")
    client.get(url)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "Request 9", "page": 2})
    elapsed = time.perf_counter() - started
    bench_record(
        "request_list_1000",
        {
            "database": connection.vendor,
            "rows": 1000,
            "queries": len(queries.captured_queries),
            "milliseconds": round(elapsed * 1000, 1),
            "matching": response.context["page"].paginator.count,
        },
    )
    assert response.status_code == 200
