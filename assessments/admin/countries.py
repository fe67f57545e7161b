"""The country context table in the admin: dated rows an office maintains, with history."""

from django import forms
from django.contrib import admin
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from ..forms import clean_country, country_choices
from ..models import CountryContext


class CountryContextForm(forms.ModelForm):
    country = forms.ChoiceField(choices=())

    class Meta:
        model = CountryContext
        fields = ["country", "level", "effective_from", "effective_to", "source_note", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices("— choose —")

    def clean_country(self):
        return clean_country(self.cleaned_data["country"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start and end and end <= start:
            self.add_error("effective_to", "The end must be after the start.")
        return cleaned


@admin.register(CountryContext)
class CountryContextAdmin(SimpleHistoryAdmin):
    """A new level is a new row with a later start (end the old one); assessments keep the
    row they used, quoted in their explanation."""

    form = CountryContextForm
    list_display = [
        "country_name",
        "country",
        "level",
        "effective_from",
        "effective_to",
        "source_note",
    ]
    list_filter = ["level"]
    search_fields = ["country", "source_note", "notes"]
    ordering = ["country", "-effective_from"]

    @admin.display(description="Country", ordering="country")
    def country_name(self, obj):
        return countries.name(obj.country) or obj.country
