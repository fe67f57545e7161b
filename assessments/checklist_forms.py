"""The checklist form: one small form per item, validated by the same rule the service applies."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms

from .checklists import checklist_answer_validate
from .models import Answer, Attachment


class ChecklistAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("", "Not answered yet"), *Answer.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    evidence_notes = forms.CharField(
        label="Evidence notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What shows the practice is in place (documents, dates, who checked).",
    )
    explanation = forms.CharField(
        label="Explanation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the answer is unsure or not applicable.",
    )
    attachment = forms.ModelChoiceField(
        label="Evidence document",
        queryset=Attachment.objects.none(),
        required=False,
        empty_label="No document",
    )

    def __init__(self, *args, item: dict, partnership_request, **kwargs):
        super().__init__(*args, prefix=item["ref_id"], **kwargs)
        self.item = item
        self.fields["answer"].label = f"Answer to {item['ref_id']}"
        self.fields["attachment"].queryset = partnership_request.attachments.all()
        if item["evidence_required"]:
            self.fields[
                "evidence_notes"
            ].help_text = "Required for met or partly met: what shows the practice is in place."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            InlineRadios("answer"), "evidence_notes", "explanation", "attachment"
        )

    def clean(self):
        cleaned = super().clean()
        errors = checklist_answer_validate(
            answer=cleaned.get("answer", ""),
            evidence_required=self.item["evidence_required"],
            evidence_notes=cleaned.get("evidence_notes", ""),
            explanation=cleaned.get("explanation", ""),
        )
        for field, message in errors.items():
            self.add_error(field, forms.ValidationError(message, code="required"))
        return cleaned
