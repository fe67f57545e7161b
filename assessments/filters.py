"""The one filter for portfolios of requests: the request list page and the exports share it."""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from ukcn.models import Department

from .forms import DATE_INPUT, clean_country, country_choices
from .models import Partner, PartnershipRequest, RequestStatus, Sector, Tier

UNSCORED = "unscored"


class RequestFilterForm(forms.Form):
    """The filters a portfolio can be narrowed by; every field is optional.

    Sectors and departments are given by their stable codes, so a filtered list's address
    (and the export links that carry it) reads well and survives a database reload.
    """

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Reference, title, summary, lead or partner.",
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *RequestStatus.choices])
    tier = forms.ChoiceField(
        required=False, choices=[("", "Any tier"), *Tier.choices, (UNSCORED, "Not yet scored")]
    )
    # A CharField with a select: the list offers every country, while links and scripts may
    # give any ISO code in either case.
    country = forms.CharField(label="Partner country", required=False, max_length=2)
    sector = forms.ModelChoiceField(
        label="NSI Act sector",
        required=False,
        queryset=Sector.objects.none(),
        to_field_name="code",
        empty_label="Any sector",
    )
    department = forms.ModelChoiceField(
        required=False,
        queryset=Department.objects.none(),
        to_field_name="code",
        empty_label="Any department",
    )
    created_from = forms.DateField(label="Registered from", required=False, widget=DATE_INPUT)
    created_to = forms.DateField(label="Registered to", required=False, widget=DATE_INPUT)

    def __init__(self, *args, show_department: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].widget = forms.Select(choices=country_choices("Any country"))
        self.fields["sector"].queryset = Sector.objects.order_by("name")
        if show_department:
            self.fields["department"].queryset = Department.objects.order_by("name")
        else:
            # Requesters see their own department's requests only: the choice would be empty.
            del self.fields["department"]

    def clean_country(self):
        return clean_country(self.cleaned_data.get("country", ""), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(
                "'Registered from' must not be after 'Registered to'.", code="date_order"
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


def requests_filter(
    *, requests: QuerySet, params, show_department: bool = True
) -> FilteredRequests:
    """Narrow `requests` by the GET parameters; on bad input nothing is returned and errors say why.

    Filters combine with AND. Partner, sector and search conditions are EXISTS subqueries,
    so a request with two matching partners is listed once without DISTINCT.
    """
    form = RequestFilterForm(params, show_department=show_department)
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
    if data.get("department"):
        requests = requests.filter(department=data["department"])
    if data["sector"]:
        sectors = PartnershipRequest.sectors.through.objects.filter(
            partnershiprequest_id=OuterRef("pk"), sector=data["sector"]
        )
        requests = requests.filter(Exists(sectors))
    if data["country"]:
        requests = requests.filter(
            Exists(
                Partner.objects.filter(
                    request=OuterRef("pk"), organisation__country=data["country"]
                )
            )
        )
    if data["created_from"]:
        requests = requests.filter(created_at__date__gte=data["created_from"])
    if data["created_to"]:
        requests = requests.filter(created_at__date__lte=data["created_to"])
    if text := data["q"].strip():
        requests = requests.filter(_search(text))
    return FilteredRequests(requests, form, applied)


def _search(text: str) -> Q:
    # Any of an organisation's names (its own, aliases, its ROR identity's labels in every
    # script) or its ROR id, bare or as a URL.
    ror_id = text.removeprefix("https://ror.org/").removeprefix("ror.org/").strip("/ ")
    partner_named = Partner.objects.filter(request=OuterRef("pk")).filter(
        Q(organisation__search_names__icontains=text)
        | Q(organisation__search_names__icontains=ror_id)
    )
    return (
        Q(reference__icontains=text)
        | Q(title__icontains=text)
        | Q(summary__icontains=text)
        | Q(lead_academic__icontains=text)
        | Exists(partner_named)
    )
