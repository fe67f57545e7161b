"""The condition jobs make the same number of queries for three conditions as for thirty, and
their batch writes keep the audit chain whole and tell each person once."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.audit import audit_verify_chain
from assessments.models import AuditEvent, Condition, Notification, NotificationKind, RequestStatus
from assessments.permissions import request_visible_to, visible_requests
from assessments.scheduling import conditions_remind_due_soon
from assessments.workflow import conditions_mark_overdue
from ukcn.roles import Role

TODAY = dt.date(2026, 11, 29)


def _conditions(make_request, make_condition, *, requests, reviewer, owner, department):
    for _ in range(requests):
        request = make_request(
            owner,
            department,
            status=RequestStatus.APPROVED_WITH_CONDITIONS,
            reviewer=reviewer,
        )
        make_condition(request, due_date=TODAY - dt.timedelta(days=2), owner=owner)
        make_condition(request, due_date=TODAY + dt.timedelta(days=3), owner=owner)


def _queries(job) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        acted_on = job()
    return len(captured.captured_queries), acted_on


def test_condition_jobs_make_as_many_queries_for_thirty_conditions_as_for_three(
    make_request, make_condition, reviewer, requester, engineering, make_user
):
    other_reviewer = make_user("second-reviewer", Role.REVIEWER)
    now = dt.datetime(2026, 11, 29, 10, 30, tzinfo=dt.UTC)
    counts = []
    for requests, who in ((3, reviewer), (30, other_reviewer)):
        _conditions(
            make_request,
            make_condition,
            requests=requests,
            reviewer=who,
            owner=requester,
            department=engineering,
        )
        overdue = _queries(lambda: conditions_mark_overdue(today=TODAY))
        due_soon = _queries(lambda: conditions_remind_due_soon(now=now))
        assert overdue[1] == due_soon[1] == requests
        counts.append((overdue[0], due_soon[0]))
        Condition.objects.update(status=Condition.Status.MET)
    assert counts[0] == counts[1], counts
    # Each late condition: one event in an unbroken chain, and its owner and reviewer told once.
    assert AuditEvent.objects.filter(action="condition.overdue").count() == 33
    assert audit_verify_chain().ok
    overdue = Notification.objects.filter(kind=NotificationKind.CONDITION_OVERDUE)
    assert overdue.count() == 66
    assert overdue.filter(recipient=requester).count() == 33
    # Re-running finds nothing to do and tells nobody again.
    Condition.objects.update(status=Condition.Status.OPEN)
    assert conditions_remind_due_soon(now=now) == 0
    assert Notification.objects.count() == 132


def test_request_visible_to_answers_as_visible_requests_does(
    make_request, make_user, requester, reviewer, engineering
):
    from ukcn.models import Department

    chemistry = Department.objects.create(name="Chemistry", code="chemistry")
    ours = make_request(requester, engineering)
    theirs = make_request(requester, chemistry)
    nobody = make_user("no-roles-person")
    for person in (requester, reviewer, nobody):
        for request in (ours, theirs):
            expected = visible_requests(person).filter(pk=request.pk).exists()
            assert request_visible_to(person, request) is expected, (person, request)
    assert request_visible_to(requester, ours) and not request_visible_to(requester, theirs)
