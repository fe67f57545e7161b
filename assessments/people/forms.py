"""Forms for people, their ATAS certificates and declarations."""

from django import forms
from django.utils import timezone
from django_countries import countries

from ..forms import DATE_INPUT
from ..models import Attachment, DeclarationKind, ImmigrationRoute, PersonCategory
from ..workflow.facts import person_row_validate

FAIRNESS_NOTE = (
    "Nationality is used only for the ATAS determination, exactly as ATAS itself uses it (its "
    "exempt nationalities; any one exempt nationality is enough). No risk score or other check "
    "in ukcn reads it."
)
COMING_CHOICES = [("", "Not known yet"), ("yes", "Yes"), ("no", "No")]


class PersonForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(
        max_length=300, help_text="As the person writes it, in any script (e.g. 李伟 or Li Wei)."
    )
    category = forms.ChoiceField(label="Who they are", choices=PersonCategory.choices)
    project_role = forms.CharField(label="Role on the project", max_length=300, required=False)
    home_organisation = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="— none or not registered —"
    )
    nationalities = forms.MultipleChoiceField(
        choices=[(code, f"{name} ({code})") for code, name in countries],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text=FAIRNESS_NOTE + " Hold Ctrl (Cmd on a Mac) to choose several.",
    )
    coming_to_uk = forms.TypedChoiceField(
        label="Will come to the UK",
        choices=COMING_CHOICES,
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    immigration_route = forms.ChoiceField(
        label="Immigration status or route",
        choices=[("", "Not known yet"), *ImmigrationRoute.choices],
        required=False,
    )
    start_date = forms.DateField(required=False, widget=DATE_INPUT)
    end_date = forms.DateField(required=False, widget=DATE_INPUT)
    cah3_code = forms.CharField(
        label="CAH3 subject code of the work",
        max_length=20,
        required=False,
        help_text="HESA CAH3 (v1.3.4), e.g. CAH07-01-01 for physics.",
    )
    soc_code = forms.CharField(
        label="Job (SOC 2020) code",
        max_length=10,
        required=False,
        help_text="For staff and researchers on a work route, e.g. 2119.",
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_organisation"].queryset = organisations

    def clean(self):
        cleaned = super().clean()
        for name, message in person_row_validate(cleaned).items():
            if name in self.fields:
                self.add_error(name, message)
        return cleaned

    def row(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("id", "DELETE")}


PersonFormSet = forms.formset_factory(PersonForm, extra=1, can_delete=True)


class CertificateForm(forms.Form):
    reference = forms.CharField(label="Certificate reference", max_length=100)
    issued_on = forms.DateField(widget=DATE_INPUT)
    expires_on = forms.DateField(
        required=False,
        widget=DATE_INPUT,
        help_text="Leave blank for six months from issue (a certificate's usual validity).",
    )
    attachment = forms.ModelChoiceField(
        queryset=Attachment.objects.none(),
        required=False,
        help_text="The certificate as attached to the request (attach it on the request's page).",
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:
            self.fields["attachment"].queryset = request.attachments.all()


class DeclarationForm(forms.Form):
    kind = forms.ChoiceField(label="What is declared", choices=DeclarationKind.choices)
    organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        help_text="For an affiliation: the organisation (screened like a partner).",
    )
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    declared_on = forms.DateField(
        label="Date the person declared it", widget=DATE_INPUT, initial=timezone.localdate
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MatchDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm"), ("dismiss", "Dismiss")])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
