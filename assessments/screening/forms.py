"""Forms for reviewers' screening decisions and live name checks."""

from django import forms


class MatchDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", "Confirm: this partner is the listed body"), ("dismiss", "Dismiss")]
    )
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give a reason for the decision."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason for the decision.", code="required")
        return reason


class NameCheckForm(forms.Form):
    name = forms.CharField(max_length=300, required=False)
    name_native = forms.CharField(max_length=300, required=False)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": "Use a two-letter ISO country code."},
    )
    org_type = forms.CharField(max_length=30, required=False)
