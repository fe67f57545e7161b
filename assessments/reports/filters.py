"""Filtering a portfolio of requests from GET parameters, for exports (and lists that link to them)."""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Q, QuerySet

from ukcn.models import Department

from ..models import Organisation, Partner, RequestStatus, Sector, Tier

UNSCORED = "unscored"


class RequestFilterForm(forms.Form):
    """The filters a portfolio can be narrowed by; every field is optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Reference, title, lead or partner.",
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *RequestStatus.choices])
    tier = forms.ChoiceField(
        required=False, choices=[("", "Any tier"), *Tier.choices, (UNSCORED, "Not yet scored")]
    )
    country = forms.CharField(
        label="Partner country", required=False, max_length=2, help_text="ISO code, e.g. CN."
    )
    sector = forms.ModelChoiceField(
        label="NSI Act sector",
        required=False,
        queryset=Sector.objects.all(),
        to_field_name="code",
        empty_label="Any sector",
    )
    department = forms.ModelChoiceField(
        required=False,
        queryset=Department.objects.all(),
        to_field_name="code",
        empty_label="Any department",
    )
    created_from = forms.DateField(
        label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise forms.ValidationError(
                "Give the country as a two-letter ISO code, e.g. CN.", code="country"
            )
        return country

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(
                "'Created from' must not be after 'Created to'.", code="date_order"
            )
        return cleaned


@dataclass
class FilteredRequests:
    requests: QuerySet
    form: RequestFilterForm
    # The filters actually applied, as plain strings, for audit records and export headers.
    applied: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """One line per problem, naming the parameter."""
        lines = []
        for name, messages in self.form.errors.items():
            prefix = "" if name == "__all__" else f"{name}: "
            lines.extend(prefix + str(message) for message in messages)
        return lines


def requests_filter(*, requests: QuerySet, params) -> FilteredRequests:
    """Narrow `requests` by the GET parameters; on bad input nothing is returned and errors say why."""
    form = RequestFilterForm(params)
    if not form.is_valid():
        return FilteredRequests(requests.none(), form)
    data = form.cleaned_data
    applied = {
        name: (value.code if hasattr(value, "code") else str(value))
        for name, value in data.items()
        if value not in (None, "")
    }
    if data["status"]:
        requests = requests.filter(status=data["status"])
    if data["tier"]:
        requests = requests.filter(tier="" if data["tier"] == UNSCORED else data["tier"])
    if data["department"]:
        requests = requests.filter(department=data["department"])
    if data["sector"]:
        requests = requests.filter(sectors=data["sector"])
    if data["country"]:
        requests = requests.filter(
            pk__in=Partner.objects.filter(organisation__country=data["country"]).values(
                "request_id"
            )
        )
    if data["created_from"]:
        requests = requests.filter(created_at__date__gte=data["created_from"])
    if data["created_to"]:
        requests = requests.filter(created_at__date__lte=data["created_to"])
    if data["q"]:
        requests = requests.filter(_search(data["q"]))
    return FilteredRequests(requests, form, applied)


def _search(text: str) -> Q:
    organisations = Organisation.objects.filter(
        Q(name__icontains=text) | Q(name_native__icontains=text)
    )
    partnered = Partner.objects.filter(organisation__in=organisations).values("request_id")
    return (
        Q(reference__icontains=text)
        | Q(title__icontains=text)
        | Q(lead_academic__icontains=text)
        | Q(pk__in=partnered)
    )
