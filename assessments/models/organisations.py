"""Organisation identity: the Research Organization Registry (ROR) records ukcn resolves to."""

from django.db import models


class IdentityStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OrganisationIdentity(models.Model):
    """One ROR record as last imported (schema v2): public identity only, never who works
    with it. Relationships and external ids are kept as ROR gives them; `parent_ror_id` and
    `successor_ror_id` are the first parent and successor, for the hierarchy and for
    inactive records."""

    ror_id = models.CharField("ROR id", max_length=20, unique=True)  # e.g. "01yqg2h08"
    name = models.CharField("display name", max_length=500)
    # [{"value": ..., "lang": "zh" | None, "types": ["label" | "alias" | "acronym" | ...]}]
    names = models.JSONField(default=list)
    types = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=IdentityStatus.choices, default=IdentityStatus.ACTIVE
    )
    country = models.CharField(max_length=2, blank=True)
    city = models.CharField(max_length=200, blank=True)
    established = models.PositiveSmallIntegerField(null=True, blank=True)
    # [{"type": "parent" | "child" | "related" | "successor" | "predecessor", "id": ror id,
    #   "label": ...}]
    relationships = models.JSONField(default=list)
    parent_ror_id = models.CharField(max_length=20, blank=True, db_index=True)
    successor_ror_id = models.CharField(max_length=20, blank=True)
    # {"grid": {"preferred": ..., "all": [...]}, "isni": ..., "wikidata": ..., "fundref": ...}
    external_ids = models.JSONField(default=dict)
    website = models.URLField(max_length=500, blank=True)
    record_modified = models.CharField("modified in ROR", max_length=10, blank=True)
    schema_version = models.CharField(max_length=10, blank=True)
    # A hash of the fields above: an import changes only records whose hash differs.
    digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        verbose_name = "organisation identity (ROR)"
        verbose_name_plural = "organisation identities (ROR)"

    def __str__(self):
        return f"{self.name} ({self.ror_url})"

    @property
    def ror_url(self) -> str:
        return f"https://ror.org/{self.ror_id}"

    def names_of(self, *kinds: str) -> list[str]:
        return [n["value"] for n in self.names if not kinds or set(n["types"]) & set(kinds)]

    @property
    def native_name(self) -> str:
        """The first label in a non-Latin script (e.g. the Chinese name), or ''."""
        for entry in self.names:
            value = entry.get("value") or ""
            if any(ord(ch) > 0x2E80 for ch in value):
                return value
        return ""

    @property
    def acronyms(self) -> list[str]:
        return self.names_of("acronym")
