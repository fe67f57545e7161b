"""The Python-built <select> must be exactly what Django's templates render."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from ukcn.form_renderer import FormRenderer

CHOICES = [
    ("", "---------"),
    ("GB", "United Kingdom"),
    ("CI", "Côte d'Ivoire"),
    ("X&Y", 'A <b>"quoted"</b> & odd label'),
    ("SAFE", mark_safe("<em>already safe</em>")),
    ("LAZY", gettext_lazy("Other")),
    (7, 1000),
    (
        "Group <one>",
        [("g1", "First in group"), ("g2", "Second & last")],
    ),
    (datetime.date(2026, 11, 30), datetime.date(2026, 11, 30)),
]


class CustomOptionSelect(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


WIDGETS = [
    (forms.Select(choices=CHOICES), "GB"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True}), "X&Y"),
    (forms.Select(choices=CHOICES, attrs={"disabled": False, "data-x": 'say "hi"'}), "g2"),
    (forms.SelectMultiple(choices=CHOICES), ["GB", "g1", "7"]),
    (forms.SelectMultiple(choices=[]), []),
    (forms.NullBooleanSelect(), True),
    (forms.NullBooleanSelect(), None),
    (CustomOptionSelect(choices=CHOICES), "GB"),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_it_renders_selects_exactly_as_django_templates_do(widget, value):
    attrs = {"id": "id_field", "aria-describedby": "help <1>"}

    ours = widget.render("field<name>", value, attrs=attrs, renderer=FormRenderer())
    django = widget.render("field<name>", value, attrs=attrs, renderer=DjangoTemplates())

    assert ours == django


def test_it_is_the_projects_form_renderer():
    assert settings.FORM_RENDERER == "ukcn.form_renderer.FormRenderer"


def test_a_whole_form_renders_the_same():
    class PartnerForm(forms.Form):
        country = forms.ChoiceField(choices=CHOICES[1:4])
        sectors = forms.MultipleChoiceField(
            choices=CHOICES[1:4], widget=forms.CheckboxSelectMultiple
        )
        name = forms.CharField()

    form = PartnerForm(data={"country": "CI", "sectors": ["GB"], "name": "<x>"})
    form.is_valid()

    assert form.render(renderer=FormRenderer()) == form.render(renderer=DjangoTemplates())
