"""Pages for the people on a request: the register (a formset), one person with their ATAS
determination, certificates, declarations and matches."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_countries import countries

from ukcn.refusals import Refusal, refusal_message, refusal_to_form
from ukcn.roles import Role, has_role

from ..audit import client_ip
from ..models import Person, ScreeningMatch
from ..permissions import visible_organisations
from ..screening.service import match_decide, request_screen
from ..views.requests import _row_count, _unjudged
from .access import (
    evidence_refusal,
    get_request_with_people,
    may_see_people,
    people_edit_refusal,
)
from .forms import (
    FAIRNESS_NOTE,
    CertificateForm,
    DeclarationForm,
    MatchDecideForm,
    PersonForm,
    PersonFormSet,
)
from .services import (
    certificate_record,
    declaration_record,
    declarations_request,
    person_add,
    person_remove,
    person_update,
)
from .status import MAY_NOT_START, person_standing, request_standings


def _people_url(request_obj) -> str:
    return reverse("assessments:request_people", args=[request_obj.reference])


def _formset(user, request_obj, data=None):
    organisations = visible_organisations(user).order_by("name")
    initial = None
    if data is None:
        initial = [
            {
                "id": p.pk,
                **{
                    name: getattr(p, name)
                    for name in PersonForm.base_fields
                    if name not in ("id", "home_organisation", "coming_to_uk")
                },
                "home_organisation": p.home_organisation_id,
                "coming_to_uk": {True: "yes", False: "no"}.get(p.coming_to_uk, ""),
            }
            for p in request_obj.people.filter(erased_at__isnull=True)
        ]
    return PersonFormSet(
        data, prefix="people", initial=initial, form_kwargs={"organisations": organisations}
    )


def _save_formset(http_request, request_obj, formset) -> int:
    """Apply each changed row through the services; returns how many rows changed."""
    actor, ip = http_request.user, client_ip(http_request)
    people = {p.pk: p for p in request_obj.people.all()}
    changed = 0
    for form in formset.forms:
        if not form.has_changed():
            continue
        pk = form.cleaned_data.get("id")
        person = people.get(pk) if pk else None
        if pk and person is None:
            raise Refusal("A person in the form is no longer on this request: reload the page.")
        try:
            if form.cleaned_data.get("DELETE"):
                if person is not None:
                    person_remove(person=person, actor=actor, ip=ip)
            elif person is not None:
                person_update(person=person, actor=actor, row=form.row(), ip=ip)
            else:
                person_add(request=request_obj, actor=actor, row=form.row(), ip=ip)
        except Refusal as exc:
            refusal_to_form(form, exc)
            raise
        changed += 1
    return changed


def request_people(request, reference):
    """The people on a request: determinations for everyone who may see them; the formset for
    whoever may change them now."""
    request_obj = get_request_with_people(request.user, reference)
    refusal = people_edit_refusal(request.user, request_obj)
    formset = None
    if refusal is None:
        if request.method == "POST":
            data = request.POST.copy()
            if request.POST.get("add_row") == "people":
                data["people-TOTAL_FORMS"] = str(_row_count(data.get("people-TOTAL_FORMS")) + 1)
                formset = _formset(request.user, request_obj, data)
                _unjudged(formset)
            else:
                formset = _formset(request.user, request_obj, data)
                if formset.is_valid():
                    try:
                        changed = _save_formset(request, request_obj, formset)
                    except Refusal as exc:
                        refusal_message(request, exc)
                        formset._non_form_errors = formset.error_class([exc.message])
                    else:
                        messages.success(request, f"People saved ({changed} row(s) changed).")
                        return redirect(_people_url(request_obj))
        else:
            formset = _formset(request.user, request_obj)
    elif request.method == "POST":
        messages.error(request, refusal)
        return redirect(_people_url(request_obj))
    return render(
        request,
        "assessments/people/list.html",
        {
            "object": request_obj,
            "standings": request_standings(request_obj),
            "formset": formset,
            "fairness_note": FAIRNESS_NOTE,
            "may_screen": has_role(request.user, Role.REVIEWER),
            "may_not_start": MAY_NOT_START,
        },
    )


def people_form_row(request, reference):
    """One blank person row (htmx's "add another"), with the formset's count moved on."""
    request_obj = get_request_with_people(request.user, reference)
    if people_edit_refusal(request.user, request_obj):
        raise Http404("You may not change the people on this request.")
    index = _row_count(request.GET.get("people-TOTAL_FORMS"))
    organisations = visible_organisations(request.user).order_by("name")
    formset = PersonFormSet(prefix="people", form_kwargs={"organisations": organisations})
    row = PersonForm(
        prefix=f"people-{index}",
        organisations=organisations,
        empty_permitted=True,
        use_required_attribute=False,
    )
    formset.add_fields(row, index)
    return render(
        request,
        "assessments/people/_row_added.html",
        {"row": row, "number": index + 1, "total": index + 1},
    )


def _person(request, reference, pk):
    request_obj = get_request_with_people(request.user, reference)
    person = get_object_or_404(Person, pk=pk, request=request_obj)
    return request_obj, person


def person_detail(request, reference, pk):
    request_obj, person = _person(request, reference, pk)
    organisations = visible_organisations(request.user).order_by("name")
    may_record = evidence_refusal(request.user, request_obj) is None and not person.erased_at
    return render(
        request,
        "assessments/people/detail.html",
        {
            "object": request_obj,
            "person": person,
            "standing": person_standing(person),
            "certificates": person.atas_certificates.select_related("attachment", "recorded_by"),
            "declarations": person.declarations.select_related("organisation", "entered_by"),
            "matches": person.screening_matches.select_related("watchlist"),
            "certificate_form": CertificateForm(request=request_obj) if may_record else None,
            "declaration_form": DeclarationForm(organisations=organisations)
            if may_record
            else None,
            "may_ask_declarations": has_role(request.user, Role.REVIEWER),
            "may_decide": has_role(request.user, Role.REVIEWER),
            "decide_form": MatchDecideForm(),
            "fairness_note": FAIRNESS_NOTE,
            "nationality_names": [
                f"{countries.name(code) or code} ({code})" for code in person.nationalities or []
            ],
        },
    )


def _back(person):
    return redirect(
        reverse("assessments:person_detail", args=[person.request.reference, person.pk])
    )


def _record_from_form(request, person, form, record, *, what: str, done: str):
    """Check the posted form, record through the service, say how it went, go back."""
    if not form.is_valid():
        messages.error(request, f"The {what} was not recorded: {_first_error(form)}")
        return _back(person)
    try:
        record(person=person, actor=request.user, ip=client_ip(request), **form.cleaned_data)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, done)
    return _back(person)


@require_POST
def person_certificate_add(request, reference, pk):
    request_obj, person = _person(request, reference, pk)
    form = CertificateForm(request.POST, request=request_obj)
    return _record_from_form(
        request,
        person,
        form,
        certificate_record,
        what="certificate",
        done="ATAS certificate recorded.",
    )


@require_POST
def person_declaration_add(request, reference, pk):
    _, person = _person(request, reference, pk)
    form = DeclarationForm(
        request.POST, organisations=visible_organisations(request.user).order_by("name")
    )
    return _record_from_form(
        request, person, form, declaration_record, what="declaration", done="Declaration recorded."
    )


@require_POST
def person_declarations_request(request, reference, pk):
    _, person = _person(request, reference, pk)
    try:
        declarations_request(person=person, actor=request.user, ip=client_ip(request))
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "The department's requesters are asked for the declarations.")
    return _back(person)


@require_POST
def request_people_screen(request, reference):
    request_obj = get_request_with_people(request.user, reference)
    try:
        summary = request_screen(
            request=request_obj, actor=request.user, reason="people", ip=client_ip(request)
        )
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(
            request, f"Screened (partners and people): {summary.new} new potential match(es)."
        )
    return redirect(_people_url(request_obj))


@require_POST
def person_match_decide_view(request, pk):
    match = get_object_or_404(
        ScreeningMatch.objects.select_related("person__request"), pk=pk, person__isnull=False
    )
    if not may_see_people(request.user, match.person.request):
        raise Http404("No such match.")
    form = MatchDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose confirm or dismiss, and give a reason.")
        return _back(match.person)
    try:
        match_decide(match=match, actor=request.user, ip=client_ip(request), **form.cleaned_data)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Match decided.")
    return _back(match.person)


def _first_error(form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label or field}: {errors[0]}" if label else errors[0]
    return "check the form."
