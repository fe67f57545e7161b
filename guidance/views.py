"""Reading guidance: the searchable list, item pages, history, lessons and the shared feeds."""

import hmac
from collections import Counter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import feedgenerator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from assessments.models import Sector
from assessments.permissions import get_request_for_user
from assessments.workflow.rules import refuse_role
from ukcn.refusals import Refusal, refusal_to_form

from .feed import feed_document, feed_items
from .forms import GuidanceFilterForm, LessonForm
from .lessons import lesson_submit
from .models import GuidanceItem, Kind, RiskArea, SourceOrganisation, Topic
from .queries import (
    guidance_filter,
    is_guidance_editor,
    related_guidance,
    sees_guidance_history,
    visible_guidance,
)
from .rendering import render_markdown
from .search import guidance_search

PAGE_SIZE = 25


def _facets(ids: list[int], params: dict) -> list[dict]:
    """Counts for each facet value among the current results, with a link that applies it."""
    items = GuidanceItem.objects.filter(pk__in=ids)

    def link(name, value):
        return "?" + urlencode({**params, name: value, "page": ""})

    kinds = Counter(dict(items.values_list("kind").annotate(n=Count("pk"))))
    sources = Counter(dict(items.values_list("source_organisation").annotate(n=Count("pk"))))
    topics = Topic.objects.filter(items__in=ids).annotate(n=Count("items")).order_by("name")
    sectors = Sector.objects.filter(guidance_items__in=ids).annotate(n=Count("guidance_items"))
    risks = Counter(code for codes in items.values_list("risk_areas", flat=True) for code in codes)
    return [
        {
            "title": "Kind",
            "values": [(label, kinds[v], link("kind", v)) for v, label in Kind.choices if kinds[v]],
        },
        {
            "title": "Topic",
            "values": [(t.name, t.n, link("topic", t.slug)) for t in topics],
        },
        {
            "title": "Risk area",
            "values": [
                (label, risks[v], link("risk", v)) for v, label in RiskArea.choices if risks[v]
            ],
        },
        {
            "title": "NSI sector",
            "values": [(s.name, s.n, link("sector", s.code)) for s in sectors],
        },
        {
            "title": "Source",
            "values": [
                (label, sources[v], link("source", v))
                for v, label in SourceOrganisation.choices
                if sources[v]
            ],
        },
    ]


def _page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


@require_GET
def guidance_list(request):
    """Published guidance (and drafts, for editors), filtered and searched."""
    editor = is_guidance_editor(request.user)
    form = GuidanceFilterForm(request.GET or None, editor=editor)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = guidance_filter(
        visible_guidance(request.user), data, editor=editor
    ).prefetch_related("topics")
    page_number = _page_number(request.GET.get("page"))
    window = slice((page_number - 1) * PAGE_SIZE, page_number * PAGE_SIZE)
    hits = guidance_search(queryset=queryset, query=data.get("q", ""), snippets=window)
    page = Paginator(hits, PAGE_SIZE).get_page(page_number)
    params = {key: value for key, value in request.GET.items() if value and key != "page"}
    return render(
        request,
        "guidance/list.html",
        {
            "form": form,
            "page": page,
            "result_count": len(hits),
            "query": data.get("q", ""),
            "facets": _facets(hits.pks, params),
            "filtered": bool(params),
            "is_editor": editor,
            "overdue_count": visible_guidance(request.user).overdue().count() if editor else 0,
        },
    )


@require_GET
def guidance_detail(request, slug):
    item = get_object_or_404(
        visible_guidance(request.user).prefetch_related(
            "topics", "sectors", "checklist_items", "watchlists"
        ),
        slug=slug,
    )
    return render(
        request,
        "guidance/detail.html",
        {
            "item": item,
            "body_html": render_markdown(item.body),
            "related": related_guidance(item, user=request.user),
            "can_see_history": sees_guidance_history(request.user),
            "is_editor": is_guidance_editor(request.user),
        },
    )


def _item_for_history(request, slug) -> GuidanceItem:
    if not sees_guidance_history(request.user):
        raise Http404("No such guidance.")
    return get_object_or_404(GuidanceItem, slug=slug)


def _changed_fields(record) -> list[str]:
    previous = record.prev_record
    if previous is None:
        return ["created"]
    return [change.field for change in record.diff_against(previous).changes]


@require_GET
def guidance_history(request, slug):
    """Every saved version of an item: when, who, why and which fields changed."""
    item = _item_for_history(request, slug)
    versions = [
        {"record": record, "changed": _changed_fields(record)}
        for record in item.history.select_related("history_user").order_by("-history_id")
    ]
    return render(request, "guidance/history.html", {"item": item, "versions": versions})


@require_GET
def guidance_version(request, slug, history_id):
    """One earlier version of an item, rendered as it then read."""
    item = _item_for_history(request, slug)
    record = get_object_or_404(item.history.select_related("history_user"), history_id=history_id)
    return render(
        request,
        "guidance/version.html",
        {
            "item": item,
            "record": record,
            "body_html": render_markdown(record.body),
            "changed": _changed_fields(record),
        },
    )


@require_GET
def guidance_review_due(request):
    """For editors: items past their review date, oldest first."""
    if not is_guidance_editor(request.user):
        raise PermissionDenied
    items = GuidanceItem.objects.overdue().order_by("review_by", "title")
    return render(request, "guidance/review_due.html", {"items": items})


def _request_page(partnership_request) -> str:
    try:
        return partnership_request.get_absolute_url()
    except NoReverseMatch:  # the request page lives in another area; fall back to guidance
        return reverse("guidance:list")


def lesson_new(request):
    """A reviewer or approver writes a lesson from a decided request."""
    refuse_role(request.user, "write_lesson")
    reference = request.GET.get("request", "")
    partnership_request = get_request_for_user(request.user, reference)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lesson_submit(
                request=partnership_request,
                author=request.user,
                text=form.cleaned_data["text"],
                anonymise=form.cleaned_data["anonymise"],
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(
                request, "Thank you. Your lesson is with the guidance editors as a draft."
            )
            return redirect(_request_page(partnership_request))
    return render(
        request,
        "guidance/lesson_form.html",
        {"form": form, "partnership_request": partnership_request},
        status=400 if form.errors else 200,
    )


# --- the shared feed ----------------------------------------------------------------------
# A research-security office shares guidance with named peers, not with the whole internet:
# case studies, even anonymised, describe how it judges partners. So the feed needs either a
# logged-in user or a token the office issued to one peer (revocable on its own).


def _feed_token(request) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.GET.get("token", "")


def _may_read_feed(request) -> bool:
    if request.user.is_authenticated:
        return True
    token = _feed_token(request)
    return bool(token) and any(
        hmac.compare_digest(token.encode(), allowed.encode())
        for allowed in settings.GUIDANCE_FEED_TOKENS
    )


def _feed_refused() -> HttpResponse:
    response = JsonResponse(
        {"error": "This feed needs a token from the institution that publishes it."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="ukcn guidance feed"'
    return response


@login_not_required
@never_cache
@require_GET
def feed_json(request):
    """Published, shareable guidance as a versioned JSON document other instances import."""
    if not _may_read_feed(request):
        return _feed_refused()
    return JsonResponse(feed_document(), json_dumps_params={"ensure_ascii": False, "indent": 1})


@login_not_required
@never_cache
@require_GET
def feed_atom(request):
    """The same items as an Atom feed, for feed readers."""
    if not _may_read_feed(request):
        return _feed_refused()
    feed = feedgenerator.Atom1Feed(
        title=f"Guidance from {settings.GUIDANCE_INSTITUTION}",
        link=request.build_absolute_uri(reverse("guidance:list")),
        description="Published research-partnership guidance.",
        language="en-gb",
        feed_url=request.build_absolute_uri(reverse("guidance:feed_atom")),
    )
    for item in feed_items():
        feed.add_item(
            title=item.title,
            link=request.build_absolute_uri(item.get_absolute_url()),
            description=item.summary,
            unique_id=f"urn:ukcn-guidance:{item.source_institution}:{item.ref_id}".replace(
                " ", "-"
            ),
            updateddate=item.updated_at,
            pubdate=item.published_at or item.updated_at,
            author_name=item.source_institution,
            categories=[topic.name for topic in item.topics.all()],
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml")
