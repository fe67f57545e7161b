from django.conf import settings
from django.db import models


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
    """What ukcn knows about a user beyond Django's auth: their department."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    job_title = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.user} ({self.department or 'no department'})"


def department_of(user) -> Department | None:
    """The user's department, or None when they have no profile or department."""
    profile = Profile.objects.filter(user_id=user.pk).select_related("department").first()
    return profile.department if profile else None


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
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
