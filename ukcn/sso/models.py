from django.core.exceptions import ValidationError
from django.db import models

from ukcn.models import Department
from ukcn.roles import Role


class ProviderMapping(models.Model):
    """One value the identity provider asserts (a group id, an entitlement, a department name)
    and what it means in ukcn: a role, a department, or a role in a department.

    A departmental role without a department is held for the user's home department (from
    the provider's department attribute); a department without a role names the user's home
    department when the provider asserts the value.
    """

    value = models.CharField(
        max_length=500,
        unique=True,
        help_text="Exactly as the provider sends it, e.g. an Entra group id or "
        "urn:mace:example.ac.uk:entitlement:ukcn-reviewer.",
    )
    role = models.CharField(max_length=40, choices=Role.choices, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["value"]

    def __str__(self):
        meaning = " in ".join(
            part for part in (self.get_role_display(), str(self.department or "")) if part
        )
        return f"{self.value} → {meaning}"

    def clean(self):
        if not self.role and self.department_id is None:
            raise ValidationError(
                "Choose a role, a department, or both: a mapping must mean something.",
                code="empty_mapping",
            )
