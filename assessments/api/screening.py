"""`POST /api/v1/screen`: the `manage.py screen --json` answer for one name or a batch."""

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, throttle_classes
from rest_framework.response import Response

from ..screening.rate_limit import ScreeningThrottle
from ..screening.service import screen_name
from .fields import StrictCharField, country_code

MAX_BATCH = 100


class NameSerializer(serializers.Serializer):
    name = StrictCharField(max_length=500, help_text="The organisation's name, any script.")
    country = StrictCharField(
        max_length=2,
        required=False,
        allow_blank=True,
        default="",
        help_text="The partner's country, ISO 3166 code (narrows the search).",
    )

    def validate_country(self, value):
        return country_code(value, required=False)


class ScreenInputSerializer(serializers.Serializer):
    """One name (`name`, `country`) or a batch (`names`), not both."""

    name = StrictCharField(max_length=500, required=False)
    country = StrictCharField(max_length=2, required=False, allow_blank=True, default="")
    names = NameSerializer(many=True, required=False, max_length=MAX_BATCH, min_length=1)

    def validate_country(self, value):
        return country_code(value, required=False)

    def validate(self, attrs):
        if ("name" in attrs) == ("names" in attrs):
            raise serializers.ValidationError("Give either `name` or `names` (a batch), not both.")
        return attrs


class MatchSerializer(serializers.Serializer):
    list = serializers.CharField()
    list_version = serializers.IntegerField()
    entry_id = serializers.CharField()
    name = serializers.CharField()
    matched_name = serializers.CharField()
    score = serializers.FloatField()
    risk_level = serializers.CharField(
        help_text="The level that applies: the office's when it set one, else the source's."
    )
    source_risk_level = serializers.CharField(help_text="The level the list itself gives.")
    risk_set_by_office = serializers.BooleanField(
        help_text="Whether `risk_level` was set by the central office (an override)."
    )
    categories = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField()


class ScreenResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    matches = MatchSerializer(many=True)


class ScreenBatchResultSerializer(serializers.Serializer):
    results = ScreenResultSerializer(many=True)


@extend_schema(
    summary="Screen names against the active watchlists",
    description="The same JSON as `manage.py screen --json`; a batch (up to "
    f"{MAX_BATCH} names) answers one such object per name, in order, under `results`. "
    "Rate limited per user, across tokens and the browser session.",
    request=ScreenInputSerializer,
    examples=[
        OpenApiExample(
            "One name", request_only=True, value={"name": "Beihang University", "country": "CN"}
        ),
        OpenApiExample(
            "A batch",
            request_only=True,
            value={"names": [{"name": "北京航空航天大学", "country": "CN"}, {"name": "NUDT"}]},
        ),
    ],
    responses=PolymorphicProxySerializer(
        component_name="ScreenAnswer",
        serializers=[ScreenResultSerializer, ScreenBatchResultSerializer],
        resource_type_field_name=None,
    ),
)
@api_view(["POST"])
@throttle_classes([ScreeningThrottle])
def screen(request):
    """Potential watchlist matches for one name or a batch of names."""
    data = ScreenInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    if "names" in data.validated_data:
        results = [
            screen_name(row["name"], country=row["country"] or None)
            for row in data.validated_data["names"]
        ]
        return Response({"results": results})
    return Response(
        screen_name(data.validated_data["name"], country=data.validated_data["country"] or None)
    )
