"""The live name check's form (reviewers' match decisions are validated by the service)."""

from django import forms


class NameCheckForm(forms.Form):
    name = forms.CharField(max_length=300, required=False)
    name_native = forms.CharField(max_length=300, required=False)
    country = forms.RegexField(
        regex=r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": "Use a two-letter ISO country code."},
    )
    org_type = forms.CharField(max_length=30, required=False)
