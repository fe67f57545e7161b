"""The web forms of the legal determinations: one per regime, plus a sanctions licence."""

from django import forms
from django.utils import timezone

from ..forms import DATE_INPUT
from ..models.legal import (
    ExemptionBasis,
    ExportOutcome,
    FirsOutcome,
    FirsTier,
    LicenceIssuer,
    LicenceType,
    NsiNotificationStatus,
    NsiOutcome,
)
from .reference import export_rating_groups, firs_specified_on, nsi_version_on
from .services import (
    ExportInput,
    FirsInput,
    NsiInput,
    SanctionsLicenceInput,
    export_input_validate,
    firs_input_validate,
    nsi_input_validate,
)

EVIDENCE_HELP = "Optional: the licence, ISU letter, registration or advice (PDF, Word, image)."


def _blank(choices, label="— choose —"):
    return [("", label), *choices]


class _DeterminationForm(forms.Form):
    reasoning = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.FileField(required=False, help_text=EVIDENCE_HELP)

    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix or self.regime, **kwargs)
        # The outcome first, then why, then the regime's details; evidence last.
        specific = [
            name for name in self.fields if name not in ("outcome", "reasoning", "evidence")
        ]
        self.order_fields(["outcome", "reasoning", *specific, "evidence"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for name, message in self.validate(self.as_input()).items():
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class ExportForm(_DeterminationForm):
    regime = "export_control"
    outcome = forms.ChoiceField(choices=ExportOutcome.choices, widget=forms.RadioSelect)
    ratings = forms.MultipleChoiceField(
        label="Control list headings",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="What the licence is for (or what was checked). Hold Ctrl (Cmd) for several.",
    )
    exemption_basis = forms.ChoiceField(
        choices=_blank(ExemptionBasis.choices), required=False, label="Basis of the exemption"
    )
    licence_type = forms.ChoiceField(choices=_blank(LicenceType.choices), required=False)
    licence_reference = forms.CharField(max_length=100, required=False)
    licence_expiry = forms.DateField(required=False, widget=DATE_INPUT)
    advisory_reference = forms.CharField(
        max_length=100, required=False, label="ECJU end-user advisory reference (optional)"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ratings"].choices = [
            (group, list(entries)) for group, entries in export_rating_groups()
        ]

    def as_input(self) -> ExportInput:
        data = self.cleaned_data
        return ExportInput(
            outcome=data.get("outcome", ""),
            reasoning=data.get("reasoning", ""),
            ratings=list(data.get("ratings") or []),
            exemption_basis=data.get("exemption_basis", ""),
            licence_type=data.get("licence_type", ""),
            licence_reference=data.get("licence_reference", ""),
            licence_expiry=data.get("licence_expiry"),
            advisory_reference=data.get("advisory_reference", ""),
        )

    validate = staticmethod(export_input_validate)


class NsiForm(_DeterminationForm):
    regime = "nsi"
    outcome = forms.ChoiceField(choices=NsiOutcome.choices, widget=forms.RadioSelect)
    areas = forms.MultipleChoiceField(
        label="Sensitive areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    notify = forms.ChoiceField(
        label="Voluntary notification",
        required=False,
        choices=[("", "— not applicable —"), ("yes", "The office notifies"), ("no", "No")],
    )
    notification_status = forms.ChoiceField(
        choices=_blank(NsiNotificationStatus.choices), required=False
    )
    isu_reference = forms.CharField(label="ISU reference", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = nsi_version_on(timezone.localdate())
        self.fields["areas"].choices = [
            (area["code"], area["name"]) for area in (self.version.areas if self.version else [])
        ]
        if self.version:
            self.fields["areas"].help_text = f"{self.version.title}, in force today."

    def as_input(self) -> NsiInput:
        data = self.cleaned_data
        notify = {"yes": True, "no": False}.get(data.get("notify") or "")
        return NsiInput(
            outcome=data.get("outcome", ""),
            reasoning=data.get("reasoning", ""),
            areas=list(data.get("areas") or []),
            notify=notify,
            notification_status=data.get("notification_status", ""),
            isu_reference=data.get("isu_reference", ""),
        )

    def validate(self, data):
        return nsi_input_validate(data, version=self.version)


class FirsForm(_DeterminationForm):
    regime = "firs"
    outcome = forms.ChoiceField(choices=FirsOutcome.choices, widget=forms.RadioSelect)
    tier = forms.ChoiceField(choices=_blank(FirsTier.choices), required=False)
    foreign_power = forms.ChoiceField(required=False, label="Specified foreign power")
    arrangement_date = forms.DateField(
        required=False, widget=DATE_INPUT, label="Day the arrangement is made"
    )
    activity_start_date = forms.DateField(
        required=False, widget=DATE_INPUT, label="Day activity under it starts (if known)"
    )
    registration_reference = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = firs_specified_on(timezone.localdate()).values_list("name", flat=True)
        self.fields["foreign_power"].choices = _blank([(n, n) for n in sorted(set(names))])

    def as_input(self) -> FirsInput:
        data = self.cleaned_data
        return FirsInput(
            outcome=data.get("outcome", ""),
            reasoning=data.get("reasoning", ""),
            tier=data.get("tier", ""),
            foreign_power=data.get("foreign_power", ""),
            arrangement_date=data.get("arrangement_date"),
            activity_start_date=data.get("activity_start_date"),
            registration_reference=data.get("registration_reference", ""),
        )

    validate = staticmethod(firs_input_validate)


class SanctionsLicenceForm(forms.Form):
    regime = "sanctions"
    match = forms.IntegerField(widget=forms.HiddenInput)
    issuer = forms.ChoiceField(choices=_blank(LicenceIssuer.choices), label="Licence from")
    reference = forms.CharField(max_length=100, label="Licence reference")
    expiry = forms.DateField(required=False, widget=DATE_INPUT, label="Licence expiry (if any)")
    reasoning = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Notes"
    )
    evidence = forms.FileField(required=False, help_text=EVIDENCE_HELP)

    def as_input(self) -> SanctionsLicenceInput:
        data = self.cleaned_data
        return SanctionsLicenceInput(
            issuer=data["issuer"],
            reference=data["reference"],
            expiry=data.get("expiry"),
            reasoning=data.get("reasoning", ""),
        )


FORMS = {form.regime: form for form in (ExportForm, NsiForm, FirsForm)}
