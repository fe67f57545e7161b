"""The scheduled job that tells guidance owners their published items are past review-by."""

import datetime as dt
import itertools

import pytest

from assessments.models import Notification, NotificationKind
from assessments.scheduling import JOBS, scheduled_jobs_run
from guidance.models import GuidanceItem, Status

from .conftest import frozen_clock, london

# Sunday 29 November 2026, mid-morning in London.
NOW = london(2026, 11, 29, 10, 30)
TODAY = dt.date(2026, 11, 29)
_numbers = itertools.count(1)


@pytest.fixture
def make_item(db, guidance_editor):
    def make(*, review_by, status=Status.PUBLISHED, owner=guidance_editor, title=None):
        number = next(_numbers)
        return GuidanceItem.objects.create(
            title=title or f"Export control basics {number}",
            slug=f"export-control-basics-{number}",
            source_institution="Test University",
            summary="What needs a licence.",
            body="Check the control lists.",
            status=status,
            owner=owner,
            review_by=review_by,
        )

    return make


@pytest.fixture
def flag(django_capture_on_commit_callbacks):
    """Run the job at a moment, with the e-mails that go out once its transaction commits."""

    def run(moment):
        with django_capture_on_commit_callbacks(execute=True), frozen_clock(moment):
            (result,) = scheduled_jobs_run(only=["flag_guidance_past_review"])
        return result

    return run


def flagged_items() -> set[int]:
    keys = Notification.objects.filter(kind=NotificationKind.GUIDANCE_REVIEW_DUE).values_list(
        "event_key", flat=True
    )
    return {int(key.split(":")[1]) for key in keys}


def test_the_job_runs_hourly():
    (job,) = [job for job in JOBS if job.name == "flag_guidance_past_review"]
    assert job.every == dt.timedelta(hours=1)


def test_a_published_item_is_flagged_the_day_after_its_review_by_date_not_on_it(make_item, flag):
    yesterday = make_item(review_by=TODAY - dt.timedelta(days=1))
    today = make_item(review_by=TODAY)
    result = flag(NOW)
    assert result.summary == "1 guidance item(s) flagged"
    assert flagged_items() == {yesterday.pk}
    assert today.pk not in flagged_items()


def test_only_published_items_with_an_owner_are_flagged(make_item, flag):
    past = TODAY - dt.timedelta(days=10)
    published = make_item(review_by=past)
    make_item(review_by=past, status=Status.DRAFT)
    make_item(review_by=past, status=Status.ARCHIVED)
    make_item(review_by=past, owner=None)
    flag(NOW)
    assert flagged_items() == {published.pk}


def test_the_owner_is_told_with_the_title_and_a_link_to_the_item(make_item, guidance_editor, flag):
    item = make_item(review_by=dt.date(2026, 11, 1), title="Staff travel to China")
    flag(NOW)
    note = Notification.objects.get(kind=NotificationKind.GUIDANCE_REVIEW_DUE)
    assert note.recipient == guidance_editor
    assert note.event_key == f"guidance:{item.pk}:review-by:2026-11-01"
    assert note.title == "Guidance past its review date: Staff travel to China"
    assert note.link == item.get_absolute_url()


def test_later_runs_flag_nothing_new_until_the_review_by_date_changes(make_item, flag, mailoutbox):
    item = make_item(review_by=TODAY - dt.timedelta(days=3))
    flag(NOW)
    assert Notification.objects.count() == 1
    assert [mail.to for mail in mailoutbox] == [["editor@example.ac.uk"]]
    for hours in (1, 2, 25):
        again = flag(NOW + dt.timedelta(hours=hours))
        assert again.outcome == "done"
        assert again.summary == "0 guidance item(s) flagged"
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1

    # Reviewed and given a new date that passes in turn: the owner is told again, once.
    item.review_by = TODAY + dt.timedelta(days=1)
    item.save()
    assert flag(NOW + dt.timedelta(days=1, hours=3)).summary == "0 guidance item(s) flagged"
    assert flag(NOW + dt.timedelta(days=2, hours=3)).summary == "1 guidance item(s) flagged"
    assert flag(NOW + dt.timedelta(days=2, hours=4)).summary == "0 guidance item(s) flagged"
    assert set(Notification.objects.values_list("event_key", flat=True)) == {
        f"guidance:{item.pk}:review-by:2026-11-26",
        f"guidance:{item.pk}:review-by:2026-11-30",
    }


def test_the_review_by_boundary_follows_the_london_date(make_item, flag):
    item = make_item(review_by=dt.date(2026, 5, 31))
    # 00:30 on 1 June in London (BST) is still 31 May in UTC: the office's date rules.
    flag(london(2026, 6, 1, 0, 30))
    assert flagged_items() == {item.pk}
