from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One append-only entry of the audit trail, hash-chained to the one before it and signed.

    Written only through `assessments.audit.audit_record`; never updated or deleted.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Protected: the actor's id is part of the event's hash, so users are deactivated,
        # never deleted (the admin's delete deactivates).
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A snapshot of who acted, so the record survives the user being renamed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    request = models.ForeignKey(
        "assessments.PartnershipRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC-SHA256 of the hash with a key held outside the database (settings.AUDIT_HMAC_KEYS),
    # and that key's id. Empty on events recorded before keys were introduced, which verify
    # by their hash chain only.
    key_id = models.CharField(max_length=32, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'}: {self.summary}"
