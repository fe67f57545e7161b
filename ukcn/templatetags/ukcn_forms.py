"""The error summary at the top of a page whose forms were refused (GOV.UK style)."""

from django import template
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet

register = template.Library()


def _form_errors(form: BaseForm, heading: str = "") -> list[dict]:
    rows = []
    for message in form.non_field_errors():
        rows.append({"href": "", "text": f"{heading}{message}"})
    for name, messages in form.errors.items():
        if name == "__all__" or name not in form.fields:
            continue
        field = form[name]
        # A list of checkboxes or radios has no element with the field's own id: link the first.
        target = field.auto_id
        if getattr(field.field.widget, "allow_multiple_selected", False) and hasattr(
            field.field.widget, "input_type"
        ):
            target = f"{target}_0"
        for message in messages:
            rows.append({"href": f"#{target}", "text": f"{heading}{field.label}: {message}"})
    return rows


def _formset_errors(formset: BaseFormSet, noun: str) -> list[dict]:
    rows = [{"href": "", "text": str(message)} for message in formset.non_form_errors()]
    for number, form in enumerate(formset.forms, start=1):
        if form.is_bound and form.errors:
            rows.extend(_form_errors(form, heading=f"{noun} {number}: "))
    return rows


@register.inclusion_tag("partials/error_summary.html", takes_context=True)
def error_summary(context):
    """Every refused form and formset on the page, each message linked to its field."""
    rows, seen = [], set()
    for name, value in context.flatten().items():
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, BaseFormSet) and value.is_bound:
            noun = getattr(value, "summary_noun", "") or name.replace("_", " ").rstrip("s").title()
            rows.extend(_formset_errors(value, noun))
        elif isinstance(value, BaseForm) and value.is_bound and value.errors:
            rows.extend(_form_errors(value))
        elif isinstance(value, list | tuple):
            # A page of many small forms (the checklist's answers) lists them in one variable.
            for form in value:
                if isinstance(form, BaseForm) and form.is_bound and form.errors:
                    rows.extend(_form_errors(form))
    return {"error_rows": rows}
