"""Pages for partnership requests: list, form, detail with its workflow actions, organisations."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ukcn.models import requester_department, requester_departments
from ukcn.refusals import Refusal, refusal_message, refusal_to_form
from ukcn.roles import Role, has_role, sees_all_departments

from .. import workflow
from ..audit import client_ip
from ..filters import requests_filter
from ..forms import (
    AttachmentForm,
    ConditionForm,
    DecideForm,
    FundingForm,
    FundingFormSet,
    PartnerForm,
    PartnerFormSet,
    RecommendForm,
    ReopenForm,
    RequestForm,
    SignOffRefuseForm,
    TierForm,
    WithdrawForm,
    formset_rows,
)
from ..gates import assessment_changed_inputs, gates_summary, next_step, request_gates
from ..models import Decision, Partner, SignOff
from ..next_step import request_next_step
from ..permissions import get_request_for_user, visible_organisations, visible_requests
from ..queues import queue_requests, queue_title
from ..reports.exports import FORMATS, may_export
from ..scoring.assessing import request_assess_by
from ..scoring.versions import scoring_policy_active
from ..screening.service import request_under_rereview, with_rereview_flag

PAGE_SIZE = 25


def _with_partners(queryset):
    return with_rereview_flag(
        queryset.select_related("department").prefetch_related(
            Prefetch("partners", queryset=Partner.objects.select_related("organisation"))
        )
    )


def request_list(request):
    """All requests the user may see, filtered and paginated; `?queue=` narrows them to one of
    the dashboard's queues (its "Showing the first 10 of N" link)."""
    requests, queue = visible_requests(request.user), request.GET.get("queue", "")
    if queue:
        in_queue = queue_requests(request.user, queue)
        if in_queue is None:
            messages.error(request, "You have no such queue: showing every request you may see.")
            queue = ""
        else:
            requests = in_queue
    filtered = requests_filter(
        requests=requests,
        params=request.GET,
        show_department=sees_all_departments(request.user),
    )
    page = Paginator(_with_partners(filtered.requests), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/requests/list.html",
        {
            "form": filtered.form,
            "page": page,
            "query": query.urlencode(),
            "may_create": has_role(request.user, Role.REQUESTER, Role.REVIEWER),
            # An export takes the filters, not a queue: offered for filtered lists only.
            "export_formats": FORMATS if may_export(request.user) and not queue else (),
            "queue_title": queue_title(request.user, queue) if queue else "",
            "queue": queue,
        },
    )


def _formsets(data=None, *, user, instance=None):
    # Only organisations the user may see: a requester picks from their departments' partners
    # and describes any other organisation as a new one (the page never lists the whole register).
    organisations = visible_organisations(user).order_by("name")
    partner_initial = funding_initial = None
    if instance is not None and data is None:
        partner_initial = [
            {"organisation": p.organisation_id, "role": p.role} for p in instance.partners.all()
        ]
        funding_initial = [
            {name: getattr(f, name) for name in workflow.FUNDING_FIELDS}
            for f in instance.funding_sources.all()
        ]
    partners = PartnerFormSet(
        data,
        prefix="partners",
        initial=partner_initial,
        form_kwargs={"organisations": organisations},
    )
    funding = FundingFormSet(data, prefix="funding", initial=funding_initial)
    return partners, funding


def _facts(form, partners, funding) -> workflow.RequestFacts:
    """Turn valid forms into plain facts; the workflow registers any new organisation."""
    partner_inputs = [
        workflow.PartnerInput(
            organisation=row.cleaned_data.get("organisation"),
            role=row.cleaned_data.get("role", ""),
            new_organisation=None
            if row.cleaned_data.get("organisation")
            else row.new_organisation_fields(),
        )
        for row in formset_rows(partners)
    ]
    return workflow.RequestFacts(
        fields=form.facts_fields(),
        sectors=list(form.cleaned_data["sectors"]),
        disciplines=list(form.cleaned_data["disciplines"]),
        partners=partner_inputs,
        funding=[
            {k: v for k, v in row.cleaned_data.items() if k in workflow.FUNDING_FIELDS}
            for row in formset_rows(funding)
        ],
    )


def _save_request(request, form, partners, funding, *, instance=None):
    """Create or update through the workflow (which registers new organisations)."""
    ip = client_ip(request)
    facts = _facts(form, partners, funding)
    if instance is None:
        return workflow.request_create(
            actor=request.user,
            facts=facts,
            department=form.cleaned_data.get("department"),
            ip=ip,
        )
    return workflow.request_update(
        actor=request.user,
        request=instance,
        version=form.cleaned_data.get("version") or 0,
        facts=facts,
        ip=ip,
    )


def request_create(request):
    """Register a new request as a draft."""
    if not has_role(request.user, Role.REQUESTER, Role.REVIEWER):
        raise Http404("You may not register requests.")
    return _request_form(request, instance=None)


def request_edit(request, reference):
    instance = get_request_for_user(request.user, reference)
    if "edit" not in workflow.request_actions_for(request.user, instance):
        messages.error(request, "You may not edit this request in its current state.")
        return redirect(instance)
    return _request_form(request, instance=instance)


def _request_form(request, *, instance):
    # Central staff register on a department's behalf; a requester for several departments
    # chooses one of them; a requester for one department always registers for it.
    choose_department = instance is None and (
        has_role(request.user, Role.REVIEWER) or requester_department(request.user) is None
    )
    departments = (
        None if has_role(request.user, Role.REVIEWER) else requester_departments(request.user)
    )
    if request.method == "POST":
        form = RequestForm(
            request.POST,
            instance=instance,
            choose_department=choose_department,
            departments=departments,
        )
        adding = request.POST.get("add_row")
        if adding in ROW_FORMSETS:
            # "Add another" without JavaScript: the same page, one more blank row, nothing saved
            # and nothing judged yet.
            data = request.POST.copy()
            total = f"{adding}-TOTAL_FORMS"
            data[total] = str(_row_count(data.get(total)) + 1)
            form = RequestForm(
                data,
                instance=instance,
                choose_department=choose_department,
                departments=departments,
            )
            partners, funding = _formsets(data, user=request.user)
            _unjudged(form, partners, funding)
            return _render_request_form(request, form, partners, funding, instance)
        partners, funding = _formsets(request.POST, user=request.user)
        if form.is_valid() and partners.is_valid() and funding.is_valid():
            try:
                saved = _save_request(request, form, partners, funding, instance=instance)
            except Refusal as exc:
                refusal_to_form(form, exc)
            else:
                verb = "registered as a draft" if instance is None else "saved"
                messages.success(request, f"{saved.reference} {verb}.")
                return redirect(saved)
    else:
        form = RequestForm(
            instance=instance, choose_department=choose_department, departments=departments
        )
        partners, funding = _formsets(user=request.user, instance=instance)
    return _render_request_form(request, form, partners, funding, instance)


def _render_request_form(request, form, partners, funding, instance):
    return render(
        request,
        "assessments/requests/form.html",
        {"form": form, "partners": partners, "funding": funding, "object": instance},
    )


# The request form's row formsets that "add another" extends.
ROW_FORMSETS = ("partners", "funding")
MAX_ROWS = 50


def _row_count(value) -> int:
    try:
        return max(0, min(int(value or 0), MAX_ROWS - 1))
    except ValueError:
        return 0


def _unjudged(*forms_and_formsets) -> None:
    """Show bound forms as typed, without error messages: the user only asked for a row."""
    for item in forms_and_formsets:
        for form in getattr(item, "forms", [item]):
            form._errors = ErrorDict()
        if hasattr(item, "forms"):
            item._errors, item._non_form_errors = [], item.error_class()


def request_form_row(request, kind):
    """One blank partner or funding row for the request form (htmx's "add another"), with the
    formset's count moved on."""
    if kind not in ROW_FORMSETS:
        raise Http404("No such rows.")
    if not has_role(request.user, Role.REQUESTER, Role.REVIEWER):
        raise Http404("You may not register requests.")
    index = _row_count(request.GET.get(f"{kind}-TOTAL_FORMS"))
    prefix = f"{kind}-{index}"
    if kind == "partners":
        organisations = visible_organisations(request.user).order_by("name")
        formset = PartnerFormSet(prefix=kind, form_kwargs={"organisations": organisations})
        row = PartnerForm(
            prefix=prefix,
            organisations=organisations,
            empty_permitted=True,
            use_required_attribute=False,
        )
    else:
        formset = FundingFormSet(prefix=kind)
        row = FundingForm(prefix=prefix, empty_permitted=True, use_required_attribute=False)
    formset.add_fields(row, index)  # its "Delete" box, as the formset's own rows have
    return render(
        request,
        "assessments/requests/_formset_row_added.html",
        {"kind": kind, "row": row, "number": index + 1, "total": index + 1},
    )


# Where on the page (or which page) each core gate is put right; gates other modules register
# without an entry here are listed without a link.
GATE_LINKS = {
    "screening_current": ("#screening", "Screen again in the screening panel"),
    "screening_resolved": ("#screening", "Confirm or dismiss in the screening panel"),
    "checklist_complete": ("checklist", "Answer the checklist"),
    "assessment_current": ("#assessment", "Assess the risk"),
    "sign_offs": ("#sign-off-heading", "See the sign-offs"),
    "export_control": ("legal", "Record the export control determination"),
    "nsi": ("legal", "Record the NSI Act determination"),
    "sanctions": ("legal", "Record a sanctions licence"),
    "firs": ("legal", "Record the FIRS determination"),
}
STEP_NAMES = {"recommend": "recommendation", "decide": "decision", "sign_off": "sign-off"}


def _gate_rows(pr, gates):
    rows = []
    for gate in gates:
        target, text = GATE_LINKS.get(gate.code, ("", ""))
        if target == "checklist":
            target = reverse("assessments:request_checklist", args=[pr.reference])
        elif target == "legal":
            url = reverse("assessments:request_legal", args=[pr.reference])
            target = f"{url}#legal-{gate.code}"
        rows.append({"gate": gate, "href": target, "link_text": text})
    return rows


def _gate_context(pr, assessment) -> dict:
    """The "Before the next step" panel and whether the latest assessment is out of date."""
    step = next_step(pr)
    gates = request_gates(pr, step) if step else []
    changed = (
        assessment_changed_inputs(pr, assessment) if assessment is not None and pr.is_open else []
    )
    active = scoring_policy_active() if assessment is not None and pr.is_open else None
    return {
        # A newer policy does not make the assessment stale; the page offers to re-assess.
        "newer_policy": active if active and active.pk != assessment.policy_id else None,
        "gate_step": step,
        "gate_step_name": STEP_NAMES.get(step, ""),
        "gates": gates,
        "gate_rows": _gate_rows(pr, gates),
        "gates_missing": gates_summary(gates),
        "open_gate_count": sum(1 for gate in gates if not gate.satisfied),
        # The sign-off awaited is itself a gate; what else would stop the signer.
        "sign_off_blockers": sum(
            1 for gate in gates if not gate.satisfied and gate.code != "sign_offs"
        ),
        "assessment_changed": changed,
    }


def request_legal_panel(user, pr):
    """The legal determinations' one-line states, for the central office and auditors."""
    from ..legal.overview import legal_overview
    from ..legal.views import may_read_legal

    return legal_overview(pr) if may_read_legal(user) else None


def request_detail(request, reference):
    """Everything about one request, the actions the user may take and its audit timeline."""
    pr = get_request_for_user(request.user, reference)
    actions = workflow.request_actions_for(request.user, pr)
    pr.under_rereview = request_under_rereview(pr)
    assessment = pr.assessments.select_related("policy", "checklist_version", "created_by").first()
    sign_offs = SignOff.objects.select_related("signed_by").order_by("order")
    decisions = list(
        pr.decisions.select_related("decided_by").prefetch_related(
            Prefetch("sign_offs", queryset=sign_offs)
        )
    )
    context = {
        "object": pr,
        "actions": actions,
        "partners": pr.partners.select_related("organisation"),
        "funding": pr.funding_sources.all(),
        "sectors": pr.sectors.all(),
        "disciplines": pr.disciplines.all(),
        "attachments": pr.attachments.select_related("uploaded_by"),
        "recommendations": pr.recommendations.select_related("recommended_by"),
        "decisions": decisions,
        "decided_before_gates": any(not d.gates_enforced and not d.superseded for d in decisions),
        "pending_decision": next(
            (
                d
                for d in decisions
                if d.state == Decision.State.PENDING_SIGN_OFF and not d.superseded
            ),
            None,
        ),
        "conditions": pr.conditions.select_related("owner", "decision"),
        "timeline": pr.audit_events.select_related("actor").order_by("-id"),
        "assessment": assessment,
        "may_mark_met": has_role(request.user, Role.REVIEWER, Role.APPROVER),
        "forms": {
            "withdraw": WithdrawForm(prefix="withdraw"),
            "set_tier": TierForm(prefix="tier", initial={"tier": pr.tier}),
            "recommend": RecommendForm(prefix="recommend"),
            "decide": DecideForm(prefix="decide") if "decide" in actions else None,
            "reopen": ReopenForm(prefix="reopen"),
            "add_condition": ConditionForm(prefix="condition")
            if "add_condition" in actions
            else None,
            "attach": AttachmentForm(prefix="attach"),
            "sign_off_refuse": SignOffRefuseForm(prefix="refuse"),
        },
        **_gate_context(pr, assessment),
    }
    context["legal_sections"] = request_legal_panel(request.user, pr)
    context["next_step"] = request_next_step(
        pr,
        user=request.user,
        actions=actions,
        gates=context["gates"],
        pending_decision=context["pending_decision"],
    )
    return render(request, "assessments/requests/detail.html", context)


def _submit(user, pr, data, ip):
    workflow.request_submit(actor=user, request=pr, ip=ip)
    return "Submitted for review."


def _take_into_review(user, pr, data, ip):
    workflow.request_take_into_review(actor=user, request=pr, ip=ip)
    return "Taken into review: you are its reviewer."


def _withdraw(user, pr, data, ip):
    workflow.request_withdraw(actor=user, request=pr, reason=data["reason"], ip=ip)
    return "Request withdrawn."


def _set_tier(user, pr, data, ip):
    workflow.request_set_tier(
        actor=user, request=pr, tier=data["tier"], reason=data["reason"], ip=ip
    )
    return f"Risk tier set to {pr.get_tier_display()}."


def _assess(user, pr, data, ip):
    assessment = request_assess_by(request=pr, actor=user, ip=ip)
    return (
        f"Assessed under scoring policy version {assessment.policy.number}: "
        f"{assessment.get_tier_display().lower()} tier, {assessment.route_label.lower()}."
    )


def _recommend(user, pr, data, ip):
    workflow.request_recommend(
        actor=user, request=pr, outcome=data["outcome"], reasoning=data["reasoning"], ip=ip
    )
    return "Recommendation recorded."


def _decide(user, pr, data, ip):
    conditions = []
    if data["condition_text"]:
        conditions.append(
            workflow.ConditionInput(
                text=data["condition_text"],
                owner=data["condition_owner"],
                due_date=data["condition_due_date"],
            )
        )
    workflow.request_decide(
        actor=user,
        request=pr,
        outcome=data["outcome"],
        reasoning=data["reasoning"],
        conditions=conditions,
        next_review_date=data["next_review_date"],
        ip=ip,
    )
    return f"Decision recorded: {pr.get_status_display().lower()}."


def _reopen(user, pr, data, ip):
    workflow.request_reopen(actor=user, request=pr, reason=data["reason"], ip=ip)
    return "Reopened for re-assessment; the earlier decision stays on record."


def _add_condition(user, pr, data, ip):
    item = workflow.ConditionInput(
        text=data["text"], owner=data["owner"], due_date=data["due_date"]
    )
    workflow.condition_add(actor=user, request=pr, item=item, ip=ip)
    return "Condition added."


def _attach(user, pr, data, ip):
    attachment = workflow.attachment_add(
        actor=user, request=pr, uploaded_file=data["file"], kind=data["kind"], ip=ip
    )
    return f"Attached {attachment.original_name}."


# action name -> (form class and prefix, or None when the action takes no input; handler)
ACTIONS = {
    "submit": (None, _submit),
    "take_into_review": (None, _take_into_review),
    "withdraw": ((WithdrawForm, "withdraw"), _withdraw),
    "set_tier": ((TierForm, "tier"), _set_tier),
    "assess": (None, _assess),
    "recommend": ((RecommendForm, "recommend"), _recommend),
    "decide": ((DecideForm, "decide"), _decide),
    "reopen": ((ReopenForm, "reopen"), _reopen),
    "add_condition": ((ConditionForm, "condition"), _add_condition),
    "attach": ((AttachmentForm, "attach"), _attach),
}


def _form_errors(form) -> str:
    return "; ".join(
        f"{form[name].label if name in form.fields else 'Form'}: {' '.join(errors)}"
        for name, errors in form.errors.items()
    )


@require_POST
def request_action(request, reference, action):
    """Carry out one workflow action from the detail page's forms."""
    pr = get_request_for_user(request.user, reference)
    if action not in ACTIONS:
        raise Http404("No such action.")
    form_spec, handler = ACTIONS[action]
    data = {}
    if form_spec:
        form_class, prefix = form_spec
        form = form_class(request.POST, request.FILES, prefix=prefix)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(pr)
        data = form.cleaned_data
    try:
        message = handler(request.user, pr, data, client_ip(request))
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, message)
    return redirect(pr)


@require_POST
def request_sign_off(request, reference):
    """Give the sign-off the pending decision awaits next."""
    pr = get_request_for_user(request.user, reference)
    try:
        step = workflow.request_sign_off(actor=request.user, request=pr, ip=client_ip(request))
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        if pr.is_decided:
            messages.success(
                request,
                f"Signed off as {step.label.lower()}. The decision now holds: "
                f"{pr.get_status_display().lower()}.",
            )
        else:
            messages.success(request, f"Signed off as {step.label.lower()}.")
    return redirect(pr)


@require_POST
def request_sign_off_refuse(request, reference):
    """Refuse the sign-off, with a reason: the request goes back to the decider."""
    pr = get_request_for_user(request.user, reference)
    form = SignOffRefuseForm(request.POST, prefix="refuse")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(pr)
    try:
        workflow.request_sign_off_refuse(
            actor=request.user,
            request=pr,
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(
            request, "Sign-off refused: the request is back with the decider, with your reason."
        )
    return redirect(pr)


@require_POST
def condition_met(request, reference, pk):
    pr = get_request_for_user(request.user, reference)
    condition = get_object_or_404(pr.conditions, pk=pk)
    try:
        workflow.condition_mark_met(
            actor=request.user,
            condition=condition,
            note=request.POST.get("note", "")[:500],
            ip=client_ip(request),
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Condition marked as met.")
    return redirect(pr)


def attachment_download(request, reference, pk):
    """Serve an attachment to those who may see its request; every download is audited."""
    pr = get_request_for_user(request.user, reference)
    attachment = get_object_or_404(pr.attachments, pk=pk)
    try:
        handle = workflow.attachment_open(
            actor=request.user, attachment=attachment, ip=client_ip(request)
        )
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def organisation_detail(request, pk):
    """An organisation: its identity (names in every script, ROR, parent and children), its
    screening status across the active lists now, the matches reviewers decided about it, and
    the requests it appears in that the user may see (tiers, decisions, conditions in force).
    Central roles see every organisation; others those on their departments' requests."""
    from ..organisations.pages import organisation_page

    organisation = get_object_or_404(
        visible_organisations(request.user).select_related("identity", "parent"), pk=pk
    )
    requests = _with_partners(
        visible_requests(request.user).filter(partners__organisation=organisation)
    ).order_by("-created_at", "-id")
    return render(
        request,
        "assessments/organisations/detail.html",
        {
            "organisation": organisation,
            "requests": requests,
            **organisation_page(organisation, user=request.user, requests=requests),
        },
    )
