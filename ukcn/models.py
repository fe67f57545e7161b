from django.conf import settings
from django.db import models
from django.utils import timezone

from .roles import DEPARTMENTAL_ROLES, Role


class Department(models.Model):
    """A faculty, school or department that partnership requests come from."""

    name = models.CharField(max_length=200, unique=True)
    faculty = models.CharField(max_length=200, blank=True)
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Profile(models.Model):
    """What ukcn knows about a user beyond Django's auth: their home department and job.

    The home department is for display and contact only: what a user may see and do comes
    from their role assignments (`RoleAssignment`), never from this field.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name="home department",
        help_text="For display only: access comes from the user's role assignments.",
    )
    job_title = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.user} ({self.department or 'no department'})"


class RoleAssignment(models.Model):
    """A user holds a role: departmental roles for one department, central roles for all.

    Every permission check asks these rows. `source` says where the assignment came from, so
    single sign-on can grant and revoke the ones it manages without touching those given by
    hand.
    """

    class Source(models.TextChoices):
        MANUAL = "manual", "Given by hand"
        IDENTITY_PROVIDER = "identity_provider", "From the identity provider"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        help_text="Required for requester and head of department; empty for central roles.",
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["user__username", "role", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="one_assignment_per_department"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(department__isnull=True),
                name="one_central_assignment",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(DEPARTMENTAL_ROLES), department__isnull=False)
                    | (
                        ~models.Q(role__in=sorted(DEPARTMENTAL_ROLES))
                        & models.Q(department__isnull=True)
                    )
                ),
                name="departmental_roles_name_a_department",
            ),
        ]

    def __str__(self):
        where = f" for {self.department}" if self.department_id else ""
        return f"{self.user} is {self.get_role_display().lower()}{where}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.role in DEPARTMENTAL_ROLES and self.department_id is None:
            raise ValidationError(
                {
                    "department": f"A {self.get_role_display().lower()} holds the role for a department: choose one."
                }
            )
        if self.role not in DEPARTMENTAL_ROLES and self.department_id is not None:
            raise ValidationError(
                {
                    "department": f"{self.get_role_display()} is a central role: leave the department empty."
                }
            )


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'grants system'."
    )
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Refused from this moment on; empty: never expires."
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


def requester_departments(user):
    """The departments a user may register requests for (as a requester)."""
    from .roles import role_departments

    return Department.objects.filter(pk__in=role_departments(user, Role.REQUESTER))


def requester_department(user) -> Department | None:
    """The one department a user registers requests for; None with none or several."""
    departments = list(requester_departments(user)[:2])
    return departments[0] if len(departments) == 1 else None
