"""The guidance API (mounted under /api/v1/guidance/ with the rest of the API).

Published guidance, read-only: editors' drafts and archived items are never exposed here."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from assessments.api.fields import StrictCharField, StrictSlugRelatedField, query_filters
from assessments.models import Sector

from .models import GuidanceItem, Kind, RiskArea, Topic
from .queries import guidance_filter
from .search import guidance_search


class GuidanceFilterSerializer(serializers.Serializer):
    q = StrictCharField(required=False, max_length=200, help_text="Words to search for.")
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    topic = StrictSlugRelatedField(slug_field="slug", queryset=Topic.objects.all(), required=False)
    sector = StrictSlugRelatedField(
        slug_field="code", queryset=Sector.objects.all(), required=False
    )
    risk = serializers.ChoiceField(choices=RiskArea.choices, required=False)


class GuidanceItemSerializer(serializers.ModelSerializer):
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    audience = serializers.ListField(child=serializers.CharField())
    risk_areas = serializers.ListField(child=serializers.CharField())
    countries = serializers.ListField(child=serializers.CharField())
    factors = serializers.ListField(child=serializers.CharField())
    external_url = serializers.CharField(read_only=True, help_text="Blank for most items.")
    url = serializers.SerializerMethodField()

    class Meta:
        model = GuidanceItem
        fields = [
            "slug",
            "ref_id",
            "url",
            "title",
            "summary",
            "body",
            "kind",
            "source_organisation",
            "source_institution",
            "external_url",
            "audience",
            "topics",
            "risk_areas",
            "sectors",
            "countries",
            "factors",
            "review_by",
            "published_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_url(self, item) -> str:
        """The item's page in the web interface."""
        return self.context["request"].build_absolute_uri(item.get_absolute_url())


@extend_schema_view(
    list=extend_schema(summary="Search published guidance", parameters=[GuidanceFilterSerializer]),
    retrieve=extend_schema(summary="One published guidance item (body in Markdown)"),
)
class GuidanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Published guidance items, best match first when searching, by title otherwise."""

    serializer_class = GuidanceItemSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = GuidanceItem.objects.none()

    def get_queryset(self):
        return GuidanceItem.objects.published().prefetch_related("topics", "sectors")

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        data = query_filters(GuidanceFilterSerializer, self.request.query_params)
        queryset = guidance_filter(queryset, data).order_by("title", "pk")
        if query := data.get("q", "").strip():
            # Ranked hits, best first; the list is capped by the search module.
            return [hit.item for hit in guidance_search(queryset=queryset, query=query)]
        return queryset
