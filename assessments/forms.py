"""Forms for requests and the review workflow: they validate input; the workflow acts on it."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from ukcn.models import Department

from .models import (
    Attachment,
    Condition,
    Discipline,
    FundingSource,
    Organisation,
    OrganisationType,
    PartnershipRequest,
    Recommendation,
    RequestStatus,
    Sector,
    Tier,
)
from .models.requests import Transfer
from .workflow import EDITABLE_FIELDS
from .workflow.facts import (
    funding_row_validate,
    partner_row_validate,
    request_facts_validate,
    request_level_errors,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def clean_country(value: str, *, required: bool = True) -> str:
    """An ISO 3166-1 alpha-2 code, upper case; refuses codes that name no country."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    code = countries.alpha2(value) if len(value) == 2 else ""
    if not code:
        raise ValidationError(
            "Choose a country (stored as its ISO 3166 code, e.g. CN for China, GB for the UK).",
            code="invalid_country",
        )
    return code


def country_choices(blank_label: str) -> list[tuple[str, str]]:
    return [("", blank_label), *((code, f"{name} ({code})") for code, name in countries)]


class RequestForm(forms.ModelForm):
    """The request's own facts, laid out in sections; partners and funding are formsets."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    department = forms.ModelChoiceField(
        queryset=Department.objects.none(),
        required=False,
        help_text="The department the request comes from (you are registering it on its behalf).",
    )

    transfers = forms.MultipleChoiceField(
        label="What will be transferred abroad",
        choices=Transfer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if nothing is sent or shared outside the UK.",
    )

    class Meta:
        model = PartnershipRequest
        fields = [*EDITABLE_FIELDS, "sectors", "disciplines"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "ip_arrangements": forms.Textarea(attrs={"rows": 3}),
            "sensitivity_notes": forms.Textarea(attrs={"rows": 3}),
            "statement_of_intent": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "sectors": forms.CheckboxSelectMultiple,
            "disciplines": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "sectors": "The sensitive sectors of the National Security and Investment Act 2021 "
            "the work touches.",
            "disciplines": "Hold Ctrl (Cmd on a Mac) to choose more than one.",
            "people_exchanged": "Researchers or students visiting either way.",
        }

    def __init__(self, *args, choose_department: bool = False, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choose_department:
            self.fields["department"].queryset = (
                departments if departments is not None else Department.objects.all()
            ).order_by("name")
            self.fields["department"].required = True
        else:
            del self.fields["department"]
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        self.fields["disciplines"].queryset = Discipline.objects.order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "The request",
                "title",
                "summary",
                Div(
                    Div("lead_academic", css_class="col-md-6"),
                    Div("lead_academic_email", css_class="col-md-6"),
                    css_class="row",
                ),
                *(["department"] if choose_department else []),
                "version",
            ),
            Fieldset(
                "Collaboration",
                Div(
                    Div("collaboration_type", css_class="col-md-6"),
                    Div("work_location", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("start_date", css_class="col-md-6"),
                    Div("end_date", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset("Disciplines and NSI Act sectors", "disciplines", "sectors", "no_nsi_sector"),
            Fieldset(
                "Sensitivity",
                "export_controlled",
                "dual_use",
                "personal_data",
                "data_leaves_uk",
                "data_leaves_partner_country",
                "people_exchanged",
                "lab_access",
                "staff_travel",
                "research_kind",
                "technology_readiness",
                "largest_foreign_funding_share",
                "transfers",
                "ip_kind",
                "ip_arrangements",
                "statement_of_intent_agreed",
                "statement_of_intent",
                "sensitivity_notes",
                HTML(
                    '<p class="form-text">Attach agreements and statements of intent on the '
                    "request's page once it is saved.</p>"
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        registered = self.instance.created_at if self.instance.pk else None
        facts = {**cleaned, "registered_on": timezone.localdate(registered) if registered else None}
        for name, message in request_level_errors(request_facts_validate(facts)).items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned

    def facts_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class PartnerForm(forms.Form):
    """One partner: an existing organisation, or a new one described here."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Existing organisation",
        empty_label="— a new organisation (describe it below) —",
    )
    name = forms.CharField(label="Name as written", max_length=300, required=False)
    name_native = forms.CharField(
        label="Name in the partner's own script", max_length=300, required=False
    )
    country = forms.ChoiceField(label="Country", required=False)
    org_type = forms.ChoiceField(
        label="Type", choices=OrganisationType.choices, initial=OrganisationType.UNIVERSITY
    )
    city = forms.CharField(label="City or province", max_length=200, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    role = forms.CharField(label="Role in the project", max_length=300, required=False)
    # Which organisation a new name is: "org:<id>", "ror:<ROR id>", or "new" (none of those
    # offered). Empty: the name is resolved on submit; when several fit, the row asks the user
    # to choose (the confirm step; with htmx the choice is offered while typing).
    identity = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)

    # The live check fires on keys as they are typed, and on "input" for what comes without key
    # events (an input method for Chinese, a paste, autofill); htmx debounces both into one.
    TYPING_TRIGGER = "keyup changed delay:400ms, input changed delay:400ms"

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else Organisation.objects.all()
        )
        self.fields["country"].choices = country_choices("— choose —")
        self._live_check_wire()

    @property
    def screening_target_id(self) -> str:
        """The id of the row's area where the live watchlist check shows its result."""
        return f"{self.prefix or 'partner'}-screening"

    def _live_check_wire(self) -> None:
        """Screen the row's names against the watchlists as they are typed (htmx, when present).

        Without JavaScript nothing happens here: partners are screened on submit anyway.
        """
        url = reverse("assessments:screening_check")
        fields = ("name", "name_native", "country", "org_type")
        row = ", ".join(f"[name='{self.add_prefix(name)}']" for name in fields)
        common = {"hx-get": url, "hx-target": f"#{self.screening_target_id}", "hx-include": row}
        for name in ("name", "name_native"):
            self.fields[name].widget.attrs.update(
                {**common, "hx-trigger": self.TYPING_TRIGGER, "autocomplete": "off"}
            )
        self.fields["country"].widget.attrs.update({**common, "hx-trigger": "change"})

    @property
    def resolution_target_id(self) -> str:
        """The id of the row's area where the organisations a name may be are offered."""
        return f"{self.prefix or 'partner'}-resolution"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation"):
            return cleaned
        if not cleaned.get("name"):
            self.add_error("name", "Choose an existing organisation or give the new one's name.")
        else:
            for name, message in partner_row_validate(cleaned).items():
                self.add_error(name, message)
        try:
            cleaned["country"] = clean_country(cleaned.get("country", ""))
        except ValidationError as exc:
            self.add_error("country", exc)
        if cleaned.get("name") and not self.errors:
            self._clean_identity(cleaned)
        return cleaned

    def _clean_identity(self, cleaned) -> None:
        """A chosen identity must be one of those offered; none chosen and several fitting:
        offer them (the confirm step)."""
        from .organisations.resolve import candidate_for_key, resolve

        identity = (cleaned.get("identity") or "").strip()
        if identity == "new":
            return
        if identity:
            if candidate_for_key(identity) is None:
                self.add_error("identity", "Choose one of the organisations offered.")
            return
        resolution = resolve(cleaned["name"], country=cleaned.get("country") or None)
        if resolution.ambiguous:
            self.candidates = resolution.candidates
            self.fields["identity"].widget = forms.RadioSelect(
                choices=candidate_choices(resolution.candidates)
            )
            self.add_error(
                "identity",
                f"Several organisations fit “{cleaned['name']}”: choose the one you mean.",
            )
        elif resolution.chosen is not None:
            cleaned["identity"] = resolution.chosen.key

    def new_organisation_fields(self) -> dict:
        fields = {
            name: self.cleaned_data.get(name, "")
            for name in ("name", "name_native", "country", "org_type", "city", "website")
        }
        if self.cleaned_data.get("identity"):
            fields["identity"] = self.cleaned_data["identity"]
        return fields


def candidate_label(candidate) -> str:
    """Public identity only: name, native name, city, country, ROR id."""
    parts = [candidate.native_name, candidate.city, candidate.country]
    if candidate.ror_id:
        parts.append(f"ROR {candidate.ror_id}")
    if candidate.parent_chain:
        parts.append(f"part of {candidate.parent_chain[0]}")
    if candidate.successor_ror_id:
        parts.append(f"{candidate.status}, succeeded by ROR {candidate.successor_ror_id}")
    detail = ", ".join(p for p in parts if p)
    return f"{candidate.name} ({detail})" if detail else candidate.name


def candidate_choices(candidates) -> list[tuple[str, str]]:
    return [(c.key, candidate_label(c)) for c in candidates] + [
        ("new", "None of these: register it as a new organisation")
    ]


class FundingForm(forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = [
            "funder_name",
            "country",
            "funder_type",
            "amount",
            "currency",
            "origin_undisclosed",
        ]
        help_texts = {"origin_undisclosed": "Tick when the partner will not say who funds it."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(
            label="Country", required=False, choices=country_choices("— not known —")
        )

    def clean_country(self):
        return clean_country(self.cleaned_data.get("country", ""), required=False)

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        for name, message in funding_row_validate(cleaned).items():
            if name in cleaned or name in self.fields:
                self.add_error(name, message)
        return cleaned


PartnerFormSet = forms.formset_factory(PartnerForm, extra=2, can_delete=True)
FundingFormSet = forms.formset_factory(FundingForm, extra=1, can_delete=True)


def formset_rows(formset) -> list:
    """The cleaned forms of a formset that hold data and are not marked for deletion."""
    return [
        form
        for form in formset.forms
        if form.has_changed() and not form.cleaned_data.get("DELETE", False)
    ]


# --- workflow actions ------------------------------------------------------------------------


class WithdrawForm(forms.Form):
    """Withdrawing stops the request for good, so it asks for a reason and a confirmation."""

    reason = forms.CharField(
        label="Why is the request withdrawn?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: it goes on the record.",
    )
    confirm = forms.BooleanField(
        label="Yes, withdraw this request: its review stops for good (it stays on record).",
        error_messages={"required": "Tick the box to confirm you want to withdraw the request."},
    )


class TierForm(forms.Form):
    tier = forms.ChoiceField(label="Risk tier", choices=Tier.choices)
    reason = forms.CharField(
        label="Why this tier",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=(
            "Required: the reason goes on the record. A tier changed by hand rests on a current "
            "assessment and cannot go below the floor a confirmed watchlist match sets."
        ),
    )


class RecommendForm(forms.Form):
    outcome = forms.ChoiceField(label="Recommendation", choices=Recommendation.Outcome.choices)
    reasoning = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


def _condition_owner_choices():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[
            (RequestStatus.APPROVED, RequestStatus.APPROVED.label),
            (RequestStatus.APPROVED_WITH_CONDITIONS, RequestStatus.APPROVED_WITH_CONDITIONS.label),
            (RequestStatus.DECLINED, RequestStatus.DECLINED.label),
        ],
    )
    reasoning = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    next_review_date = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        help_text="Leave blank for the default: twelve months from today.",
    )
    condition_text = forms.CharField(
        label="Condition",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed for an approval with conditions; add more on the request afterwards.",
    )
    condition_owner = forms.ModelChoiceField(
        label="Condition owner", queryset=get_user_model().objects.none(), required=False
    )
    condition_due_date = forms.DateField(label="Condition due", required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["condition_owner"].queryset = _condition_owner_choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("condition_text") and not cleaned.get("condition_due_date"):
            self.add_error("condition_due_date", "Give the condition a due date.")
        if cleaned.get("outcome") == RequestStatus.APPROVED_WITH_CONDITIONS and not cleaned.get(
            "condition_text"
        ):
            self.add_error("condition_text", "An approval with conditions needs a condition.")
        return cleaned


class SignOffRefuseForm(forms.Form):
    reason = forms.CharField(
        label="Why do you refuse to sign off?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The decider reads it; the request goes back to them for a new decision.",
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why reopen it?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: a partner now appears on a watchlist.",
    )


class ConditionForm(forms.ModelForm):
    class Meta:
        model = Condition
        fields = ["text", "owner", "due_date"]
        labels = {"text": "Condition", "owner": "Owner", "due_date": "Due date"}
        widgets = {"text": forms.Textarea(attrs={"rows": 2}), "due_date": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _condition_owner_choices()

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise ValidationError("The due date cannot be in the past.")
        return due


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File")
    kind = forms.ChoiceField(choices=Attachment.Kind.choices, initial=Attachment.Kind.EVIDENCE)
