"""The good-practice checklist of one request: read by anyone who may see it, answered by reviewers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ukcn.refusals import Refusal
from ukcn.roles import Role, has_role

from ..audit import client_ip
from ..checklist_forms import ChecklistAnswerForm
from ..checklists import AnswerInput, checklist_answers_save, checklist_version_for_request
from ..gates import _active_policy_data, applicable_checklist_items
from ..models import ChecklistGroup
from ..permissions import get_request_for_user
from ..scoring.policy import policy_schema
from ..workflow.rules import checklist_answer_refusal


def _may_answer(user, partnership_request) -> bool:
    return checklist_answer_refusal(user, partnership_request) is None


def _initial(answer) -> dict:
    if answer is None:
        return {}
    return {
        "answer": answer.answer,
        "evidence_notes": answer.evidence_notes,
        "explanation": answer.explanation,
        "attachment": answer.attachment_id,
    }


@require_http_methods(["GET", "POST"])
def request_checklist(http_request, reference):
    partnership_request = get_request_for_user(http_request.user, reference)
    version = checklist_version_for_request(partnership_request)
    may_answer = _may_answer(http_request.user, partnership_request)
    if http_request.method == "POST" and not may_answer:
        # The page offered no form: the service says why, and the post is refused outright.
        try:
            checklist_answers_save(request=partnership_request, actor=http_request.user, answers=[])
        except Refusal as refusal:
            raise PermissionDenied(refusal.message) from None
    answers = {
        answer.ref_id: answer
        for answer in partnership_request.checklist_answers.select_related(
            "attachment", "answered_by"
        )
    }
    items = version.items if version else []
    forms = []
    if may_answer:
        data = http_request.POST if http_request.method == "POST" else None
        # Each section saves on its own; a post without a section saves every item.
        section = (data or {}).get("section", "")
        forms = [
            ChecklistAnswerForm(
                data if not section or item["group"] == section else None,
                item=item,
                partnership_request=partnership_request,
                initial=_initial(answers.get(item["ref_id"])),
            )
            for item in items
        ]
        posted = [form for form in forms if form.is_bound]
        if data is not None and all(form.is_valid() for form in posted):
            changed = checklist_answers_save(
                request=partnership_request,
                actor=http_request.user,
                answers=[
                    AnswerInput(ref_id=form.item["ref_id"], **form.cleaned_data) for form in posted
                ],
                ip=client_ip(http_request),
            )
            label = dict(ChecklistGroup.choices).get(section)
            answered = partnership_request.checklist_answers.count()
            saved = f"Checklist saved ({label})" if label else "Checklist saved"
            messages.success(
                http_request,
                f"{saved}: {changed} answer{'s' if changed != 1 else ''} changed. "
                f"{answered} of {len(items)} items answered.",
            )
            url = reverse("assessments:request_checklist", kwargs={"reference": reference})
            return redirect(f"{url}#section-{section}" if label else url)
    form_for = {form.item["ref_id"]: form for form in forms}
    policy = _active_policy_data()
    matrix = policy is not None and policy_schema(policy) == 2
    required = {item["ref_id"] for item in applicable_checklist_items(partnership_request)}
    controls = set((policy or {}).get("controls", {})) if matrix else set()
    groups = [
        {
            "value": value,
            "label": label,
            "answered": sum(
                1 for item in items if item["group"] == value and item["ref_id"] in answers
            ),
            "rows": [
                {
                    "item": item,
                    "answer": answers.get(item["ref_id"]),
                    "form": form_for.get(item["ref_id"]),
                    "required": matrix and item["ref_id"] in required,
                    "is_control": item["ref_id"] in controls,
                }
                for item in items
                if item["group"] == value
            ],
        }
        for value, label in ChecklistGroup.choices
    ]
    context = {
        "partnership_request": partnership_request,
        "version": version,
        "groups": [group for group in groups if group["rows"]],
        "may_answer": may_answer,
        # A reviewer who may not answer (their own request, or a decided one) is told why.
        "answer_refusal": None
        if may_answer or not has_role(http_request.user, Role.REVIEWER)
        else checklist_answer_refusal(http_request.user, partnership_request),
        "answered": len(answers),
        "item_count": len(items),
        "matrix": matrix,
        "required_count": len(required) if matrix else len(items),
        "required_answered": len(required & set(answers)),
        # Bootstrap's width utilities come in quarters; the bar rounds down to one of them.
        "answered_percent": (len(answers) * 4 // len(items)) * 25 if items else 0,
        "has_errors": any(form.errors for form in forms),
        "answer_forms": forms,
        "assessment": partnership_request.assessments.select_related(
            "policy", "checklist_version", "created_by"
        ).first(),
    }
    return render(http_request, "assessments/checklist/request_checklist.html", context)
