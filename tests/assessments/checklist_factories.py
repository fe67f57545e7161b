"""Plain helpers for the checklist and scoring database tests."""

import io
import itertools

from django.core.management import call_command

from assessments.models import Organisation, Partner, PartnershipRequest

_numbers = itertools.count(1)


def load_reference_data():
    call_command("load_checklist", stdout=io.StringIO())


def make_request(*, created_by, department, **fields) -> PartnershipRequest:
    values = {
        "title": "Joint workshop on coastal erosion",
        "summary": "Two workshops and a joint paper.",
        "lead_academic": "Dr Ada Jones",
        "collaboration_type": "joint_project",
        "work_location": "both",
        **fields,
    }
    return PartnershipRequest.objects.create(
        reference=f"PR-2026-{next(_numbers):04d}",
        department=department,
        created_by=created_by,
        **values,
    )


def add_partner(request, name="Eastern Polytechnic", org_type="university", country="CN"):
    organisation = Organisation.objects.create(name=name, country=country, org_type=org_type)
    return Partner.objects.create(request=request, organisation=organisation)
