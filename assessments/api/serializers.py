from rest_framework import serializers

from ..models import AuditEvent, Organisation, Watchlist, WatchlistVersion


class OrganisationSerializer(serializers.ModelSerializer):
    # Blank when unknown, so not declared as a URI (an empty string is not one).
    website = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "name_native",
            "country",
            "org_type",
            "city",
            "website",
            "created_at",
        ]


class WatchlistVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WatchlistVersion
        fields = [
            "id",
            "number",
            "status",
            "created_at",
            "activated_at",
            "source",
            "sha256",
            "rows_read",
            "entry_count",
            "added_count",
            "removed_count",
            "changed_count",
            "importer",
            "importer_version",
            "error",
        ]


class WatchlistSerializer(serializers.ModelSerializer):
    homepage = serializers.CharField(read_only=True)
    source_url = serializers.CharField(read_only=True)
    active_version = serializers.SerializerMethodField()

    class Meta:
        model = Watchlist
        fields = [
            "id",
            "name",
            "publisher",
            "licence",
            "homepage",
            "format",
            "source_url",
            "blocking",
            "legal_effect",
            "default_risk_level",
            "is_active",
            "active_version",
        ]

    def get_active_version(self, watchlist) -> int | None:
        active = [v for v in watchlist.versions.all() if v.status == WatchlistVersion.Status.ACTIVE]
        return active[0].number if active else None


class AuditEventSerializer(serializers.ModelSerializer):
    # Events about watchlists, organisations or API tokens belong to no request.
    request_reference = serializers.CharField(
        source="request.reference", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_name",
            "action",
            "object_type",
            "object_id",
            "request_reference",
            "summary",
            "changes",
            "ip_address",
            "previous_hash",
            "hash",
        ]
