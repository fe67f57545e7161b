"""The form renderer: Django's, with <select> elements built in Python.

Django renders every <option> through two template includes. A request form carries three
country lists (about 250 options each) and the request list's filters carry more, so
option templates were most of those pages' time under load. This renderer produces
byte-for-byte the same HTML as Django's `select.html` / `select_option.html` /
`attrs.html` (tests/ukcn/test_form_renderer.py compares them), and falls back to the
templates for any widget that uses other option templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's template form renderer, with <select> widgets rendered in Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            widget = context["widget"]
            if all(
                option["template_name"] == OPTION_TEMPLATE
                for _group, options, _index in widget["optgroups"]
                for option in options
            ):
                return select_html(widget)
        return super().render(template_name, context, request=request)


def select_html(widget: dict) -> str:
    """A select widget's context as HTML, exactly as Django's select.html renders it."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through escaping


def _text(value) -> str:
    """`{{ value }}`: localised and escaped unless already safe."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps safe input safe, escapes the rest."""
    text = str(value)  # what "%s" gives for any value, tuples included
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """Django's attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )
