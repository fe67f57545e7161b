"""Requested watchlist imports that run in the background, with their progress."""

from django.conf import settings
from django.db import models

from .watchlists import Watchlist, WatchlistVersion


class WatchlistImport(models.Model):
    """One import asked for in the admin: queued, run by a task worker, its progress recorded."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        UNCHANGED = "unchanged", "Unchanged (identical file)"
        FAILED = "failed", "Failed"

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(max_length=1000, help_text="The uploaded file's name or the URL.")
    url = models.URLField(max_length=1000, blank=True)
    # The uploaded bytes, kept until the import has run (a URL import fetches instead).
    data = models.BinaryField(null=True, blank=True, editable=False)
    importer = models.CharField(max_length=40)
    options = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    rows_done = models.PositiveIntegerField("rows processed", default=0)
    message = models.TextField(blank=True)
    version = models.ForeignKey(
        WatchlistVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"Import of {self.source} into {self.watchlist} ({self.get_status_display()})"
