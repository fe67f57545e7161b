"""Factories for guidance tests."""

import datetime

import pytest
from django.utils import timezone

from guidance.models import GuidanceItem, Status


@pytest.fixture
def make_item(db):
    """Create a guidance item written here; published unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(title="An item", *, status=Status.PUBLISHED, body="Some text.", **extra):
        number = next(counter)
        defaults = {
            "ref_id": f"T-{number:04d}",
            "source_institution": "Test University",
            "slug": f"item-{number}",
            "summary": f"Summary of {title}",
            "review_by": timezone.localdate() + datetime.timedelta(days=30),
        }
        return GuidanceItem.objects.create(
            title=title, status=status, body=body, **{**defaults, **extra}
        )

    return make


@pytest.fixture
def staff_editor(guidance_editor):
    guidance_editor.is_staff = True
    guidance_editor.save()
    return guidance_editor
