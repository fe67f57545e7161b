"""Fields for JSON input that refuse what DRF would quietly coerce, and query-filter parsing."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..forms import clean_country

# PositiveIntegerField's ceiling on PostgreSQL; a larger number would fail in the database.
MAX_POSITIVE_INT = 2_147_483_647


def country_code(value: str, *, required: bool) -> str:
    """An ISO 3166 code, upper case, checked as the web forms check it."""
    try:
        return clean_country(value, required=required)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


# --- JSON types, strictly --------------------------------------------------------------------
# DRF accepts 12 for a text field and "yes" for a boolean; an integration sending the wrong
# JSON type has a bug worth hearing about, so these fields refuse it with a 400.


class StrictText:
    """Text only, and its length checked as sent (DRF checks it after trimming spaces)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class StrictCharField(StrictText, serializers.CharField):
    pass


class StrictEmailField(StrictText, serializers.EmailField):
    pass


class StrictURLField(StrictText, serializers.URLField):
    pass


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    def to_internal_value(self, data):
        # PostgreSQL refuses NUL in a query: a code holding one matches nothing anyway.
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


def query_filters(serializer_class, params) -> dict:
    """Validated filters from query parameters; blank or repeated ones are refused, not ignored."""
    names = serializer_class().fields
    errors = {}
    for name in names:
        values = params.getlist(name)
        if len(values) > 1:
            errors[name] = ["Give this filter once."]
        elif values == [""]:
            errors[name] = ["Leave the filter out rather than sending it empty."]
    if errors:
        raise serializers.ValidationError(errors)
    filters = serializer_class(data=params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data
