"""How long the scheduler takes over a busy office's open conditions, first run and re-run."""

import datetime as dt
import time

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Condition, Decision, Notification, PartnershipRequest
from assessments.scheduling import conditions_remind_due_soon
from assessments.workflow import conditions_mark_overdue
from ukcn.roles import Role

CONDITIONS_PER_REQUEST = 5


# 1,000 and 10,000 conditions: 600 and 6,000 overdue, 400 and 4,000 due soon. The query counts
# must be the same at both sizes (bulk reads and writes, not one round of queries per condition).
@pytest.mark.parametrize("requests_count", [200, 2000])
def test_bench_condition_reminders_and_overdue_marking(
    bench_record,
    make_user,
    engineering,
    requester,
    django_capture_on_commit_callbacks,
    requests_count,
):
    REQUESTS = requests_count
    reviewer = make_user("bench-reviewer", Role.REVIEWER)
    today = dt.date.today()
    for number in range(REQUESTS):
        request_ = PartnershipRequest.objects.create(
            reference=f"PR-BENCH-{number:04d}",
            title=f"Partnership {number}",
            summary="Benchmark.",
            lead_academic="Dr Bench",
            department=engineering,
            created_by=requester,
            collaboration_type="joint_project",
            work_location="both",
            status="approved_with_conditions",
            reviewer=reviewer,
        )
        decision = Decision.objects.create(
            request=request_, decided_by=reviewer, outcome="approved_with_conditions", reasoning="."
        )
        Condition.objects.bulk_create(
            Condition(
                request=request_,
                decision=decision,
                text=f"Condition {k}",
                owner=requester,
                # Half due within 14 days, half already past.
                due_date=today + dt.timedelta(days=(k % 2) * 10 - (1 - k % 2) * 3),
            )
            for k in range(CONDITIONS_PER_REQUEST)
        )
    figures = {"requests": REQUESTS, "conditions": REQUESTS * CONDITIONS_PER_REQUEST}
    for label, job in [
        ("due_soon", conditions_remind_due_soon),
        ("overdue", lambda now: conditions_mark_overdue(today=timezone.localdate(now))),
    ]:
        for attempt in ("first_run", "re_run"):
            queries = []

            def count_query(execute, *args, queries=queries):
                queries.append(1)
                return execute(*args)

            with (
                connection.execute_wrapper(count_query),
                django_capture_on_commit_callbacks(execute=True),
            ):
                start = time.perf_counter()
                count = job(now=dt.datetime.now(dt.UTC))
                elapsed = time.perf_counter() - start
            figures[f"{label}_{attempt}"] = {
                "conditions_acted_on": count,
                "seconds": round(elapsed, 3),
                "queries": len(queries),
            }
    figures["notifications"] = Notification.objects.count()
    figures["overdue_conditions"] = Condition.objects.filter(status="overdue").count()
    bench_record(f"scheduler_conditions_{figures['overdue_conditions']}_overdue", figures)
    assert figures["due_soon_re_run"]["conditions_acted_on"] == 0
    assert figures["overdue_re_run"]["conditions_acted_on"] == 0
