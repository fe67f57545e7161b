from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from assessments.models import Sector

from .models import Audience, Kind, RiskArea, SourceOrganisation, Status, Topic


def _blank(choices, label="Any"):
    return [("", label), *choices]


class GuidanceFilterForm(forms.Form):
    """The search box and facets on /guidance/; every field is optional."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    kind = forms.ChoiceField(choices=_blank(Kind.choices), required=False)
    topic = forms.ModelChoiceField(
        Topic.objects.all(), to_field_name="slug", required=False, empty_label="Any"
    )
    risk = forms.ChoiceField(label="Risk area", choices=_blank(RiskArea.choices), required=False)
    sector = forms.ModelChoiceField(
        Sector.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="Any",
        label="NSI sector",
    )
    source = forms.ChoiceField(
        label="Source", choices=_blank(SourceOrganisation.choices), required=False
    )
    audience = forms.ChoiceField(choices=_blank(Audience.choices), required=False)
    status = forms.ChoiceField(
        choices=_blank(Status.choices, "Published and drafts"), required=False
    )

    def __init__(self, *args, editor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editor:
            del self.fields["status"]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("", "Search", css_class="btn-primary"))


class LessonForm(forms.Form):
    text = forms.CharField(
        label="What should others learn from this request?",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="A few sentences. Editors review it before anyone else sees it.",
    )
    anonymise = forms.BooleanField(
        label="Anonymise: remove the reference, partner, funder and people's names",
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send to the guidance editors"))
