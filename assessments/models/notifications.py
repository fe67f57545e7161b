"""Notifications to users (in-app and e-mail), their delivery preferences, and scheduled job runs."""

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    REQUEST_SUBMITTED = "request_submitted", "A request is submitted for review"
    REQUEST_TAKEN_INTO_REVIEW = "request_taken_into_review", "A request is taken into review"
    REQUEST_RECOMMENDED = "request_recommended", "A recommendation awaits a decision"
    REQUEST_DECIDED = "request_decided", "A request is decided"
    SIGN_OFF_NEEDED = "sign_off_needed", "A decision awaits your sign-off"
    SIGN_OFF_REFUSED = "sign_off_refused", "A sign-off of your decision is refused"
    CONDITION_DUE_SOON = "condition_due_soon", "A condition is due within 14 days"
    CONDITION_OVERDUE = "condition_overdue", "A condition is overdue"
    REVIEW_DATE_REACHED = "review_date_reached", "A partnership reaches its review date"
    RESCREENING_ALERT = "rescreening_alert", "Re-screening finds a new or changed match"
    GUIDANCE_REVIEW_DUE = "guidance_review_due", "Guidance you own is past its review date"
    PEOPLE_DECLARATIONS_REQUESTED = (
        "people_declarations_requested",
        "A reviewer asks for a person's declarations",
    )
    ATAS_START_DUE = "atas_start_due", "Someone starts soon without a required ATAS certificate"
    ATAS_CERTIFICATE_EXPIRING = "atas_certificate_expiring", "An ATAS certificate expires soon"
    LEGAL_DEADLINE = (
        "legal_deadline",
        "An export or sanctions licence expires, or a FIRS registration falls due",
    )


class DeliveryChoice(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY_DIGEST = "daily_digest", "In a daily digest"
    NONE = "none", "Not at all"


class EmailStatus(models.TextChoices):
    PENDING = "pending", "To send now"
    SENDING = "sending", "Being sent"
    DIGEST = "digest", "Waiting for the daily digest"
    SENT = "sent", "Sent"
    NOT_SENT = "not_sent", "Not sent (no address)"
    FAILED = "failed", "Failed"


class Notification(models.Model):
    """One message to one recipient about one event; the event key makes it unique."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The address used; for someone without an account (a lead academic) it is the recipient.
    recipient_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"],
                condition=models.Q(recipient__isnull=False),
                name="notification_once_per_user_and_event",
            ),
            models.UniqueConstraint(
                fields=["recipient_email", "event_key"],
                condition=models.Q(recipient__isnull=True),
                name="notification_once_per_address_and_event",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["email_status", "recipient"], name="notification_email_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants to hear about one kind of event; no row means the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    choice = models.CharField(max_length=20, choices=DeliveryChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="one_preference_per_user_and_kind"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}: {self.get_choice_display()}"


class ScheduledJobRun(models.Model):
    """A claim on one period of one scheduled job: the unique row is the lock between hosts."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=40, help_text="The time slot this run covers.")
    host = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period")
        ]

    def __str__(self):
        return f"{self.job} {self.period}: {self.get_outcome_display()}"
