"""Partnership requests and their assessments over the API, through the web UI's own functions.

Refusals are the services' `Refusal`, answered by `ukcn.api_errors` (forbidden 403, conflict
409 with `code` "workflow_refused", bad input 400; a stale `version` is 409 with `code`
"version_conflict" and the `current_version`). A role that may never take an action gets 403
before anything is read: the permission classes ask the workflow's own `ACTION_ROLES`.
"""

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Value,
    When,
    prefetch_related_objects,
)
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from .. import workflow
from ..assessing import request_assess_by
from ..audit import client_ip
from ..filters import requests_filter
from ..models import Assessment, MatchStatus, Partner, PartnershipRequest, ScreeningMatch
from ..permissions import get_request_for_user, visible_requests
from ..screening.service import REREVIEW_STATUSES
from ..workflow.rules import action_role_refusal
from . import request_serializers as rs
from . import review_serializers as review
from .fields import query_filters
from .review_checks import CHECK_ACTIONS, ReviewChecksMixin

REQUEST_PREFETCH = (
    Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
    "funding_sources",
    "sectors",
    "disciplines",
    Prefetch("assessments", queryset=Assessment.objects.select_related("policy").defer("facts")),
)

# Recommended or decided with a potential match a reviewer has yet to resolve (as
# `request_under_rereview`), for the whole list in one query.
REREVIEW_PENDING = Case(
    When(
        status__in=REREVIEW_STATUSES,
        then=Exists(
            ScreeningMatch.objects.filter(request=OuterRef("pk"), status=MatchStatus.POTENTIAL)
        ),
    ),
    default=Value(False),
    output_field=BooleanField(),
)


# The viewset's actions that are review actions, and the workflow action each one is.
REVIEW_ACTIONS = {
    "take_into_review": "take_into_review",
    "set_tier": "set_tier",
    "assess": "assess",
    "recommend": "recommend",
    "decide": "decide",
    "reopen": "reopen",
    **CHECK_ACTIONS,
}


class MayWriteRequests(BasePermission):
    """Writes need a role that may register requests, as on the web; reads need a login."""

    message = "Only requesters and reviewers may register, edit, submit or withdraw requests."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or view.action in REVIEW_ACTIONS:
            return True
        return action_role_refusal(request.user, "register") is None


class MayReview(BasePermission):
    """A review action needs one of its roles, as on the web; reading needs none."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS or view.action not in REVIEW_ACTIONS:
            return True
        refusal = action_role_refusal(request.user, REVIEW_ACTIONS[view.action])
        if refusal:
            self.message = refusal
        return refusal is None


def _partner_inputs(rows) -> list[workflow.PartnerInput]:
    """Partners as the workflow takes them (it registers the new organisations)."""
    return [
        workflow.PartnerInput(
            organisation=row.get("organisation"),
            role=row.get("role", ""),
            new_organisation=row.get("new_organisation"),
        )
        for row in rows
    ]


def _saved(pr: PartnershipRequest) -> dict:
    """A saved request in the shape of validated input: what a partial edit leaves alone."""
    return {
        **{name: getattr(pr, name) for name in workflow.EDITABLE_FIELDS},
        "sectors": list(pr.sectors.all()),
        "disciplines": list(pr.disciplines.all()),
        "partners": [
            {"organisation": p.organisation, "role": p.role}
            for p in pr.partners.select_related("organisation")
        ],
        "funding": [
            {name: getattr(row, name) for name in workflow.FUNDING_FIELDS}
            for row in pr.funding_sources.all()
        ],
    }


def _facts(data: dict) -> workflow.RequestFacts:
    """Plain facts for the workflow from complete validated input."""
    return workflow.RequestFacts(
        fields={name: data[name] for name in workflow.EDITABLE_FIELDS},
        sectors=list(data["sectors"]),
        disciplines=list(data["disciplines"]),
        partners=_partner_inputs(data["partners"]),
        funding=[dict(row) for row in data["funding"]],
    )


@extend_schema_view(
    list=extend_schema(
        summary="List requests you may see", parameters=[rs.RequestFilterSerializer]
    ),
    retrieve=extend_schema(summary="Read one request"),
    create=extend_schema(
        summary="Register a request as a draft",
        request=rs.RequestCreateSerializer,
        examples=[
            OpenApiExample(
                "A draft with a new partner",
                request_only=True,
                value={
                    "title": "Joint lab on perovskite solar cells",
                    "summary": "Two PhD exchanges and shared samples.",
                    "lead_academic": "Prof. Jane Smith",
                    "collaboration_type": "joint_project",
                    "work_location": "both",
                    "sectors": ["energy", "advanced-materials"],
                    "disciplines": ["materials-science"],
                    "partners": [
                        {
                            "new_organisation": {
                                "name": "Nanjing University",
                                "name_native": "南京大学",
                                "country": "CN",
                            },
                            "role": "Co-investigator",
                        }
                    ],
                    "funding": [
                        {"funder_name": "UKRI", "country": "GB", "funder_type": "uk_public"}
                    ],
                },
            )
        ],
        responses={201: rs.RequestDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a request (drafts; reviewers correct submitted ones)",
        request=rs.RequestUpdateSerializer,
        responses={200: rs.RequestDetailSerializer},
    ),
)
class RequestViewSet(
    ReviewChecksMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Partnership requests: department-scoped exactly as in the web interface."""

    serializer_class = rs.RequestDetailSerializer
    permission_classes = [IsAuthenticated, MayWriteRequests, MayReview]
    lookup_field = "reference"
    lookup_value_regex = rs.REFERENCE_PATTERN
    queryset = PartnershipRequest.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        requests = visible_requests(self.request.user)
        # The serializer makes the API strict (types, blank or repeated filters) and documents
        # the parameters; the filtering itself is the web list's, so both list the same rows.
        query_filters(rs.RequestFilterSerializer, self.request.query_params)
        params = {
            name: self.request.query_params[name]
            for name in rs.RequestFilterSerializer().fields
            if name in self.request.query_params
        }
        filtered = requests_filter(requests=requests, params=params)
        if filtered.form.errors:
            raise serializers.ValidationError(filtered.form.errors)
        return (
            filtered.requests.select_related("department", "created_by", "reviewer")
            .prefetch_related(*REQUEST_PREFETCH)
            .annotate(rereview_pending=REREVIEW_PENDING)
        )

    def get_serializer_class(self):
        # The list leaves out what costs queries per request (the gates, the decision).
        return rs.RequestSerializer if self.action == "list" else rs.RequestDetailSerializer

    def get_object(self):
        pr = get_request_for_user(self.request.user, self.kwargs["reference"])
        prefetch_related_objects([pr], *REQUEST_PREFETCH)
        return pr

    def _detail(self, reference: str, status_code=status.HTTP_200_OK) -> Response:
        """The request as saved now (re-read, so it shows the workflow's changes)."""
        pr = get_request_for_user(self.request.user, reference)
        prefetch_related_objects([pr], *REQUEST_PREFETCH)
        return Response(self.get_serializer(pr).data, status=status_code)

    def create(self, request):
        serializer = rs.RequestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        department = data.pop("department", None)
        pr = workflow.request_create(
            actor=request.user, facts=_facts(data), department=department, ip=client_ip(request)
        )
        response = self._detail(pr.reference, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path}{pr.reference}/")
        return response

    def partial_update(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        serializer = rs.RequestUpdateSerializer(
            pr, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        data = {**_saved(pr), **serializer.validated_data}
        version = data.pop("version")
        workflow.request_update(
            actor=request.user,
            request=pr,
            version=version,
            facts=_facts(data),
            ip=client_ip(request),
        )
        return self._detail(reference)

    def _act(self, request, reference: str, act, input_serializer=None) -> Response:
        """Run one workflow action on a request the caller may see; the request as it is now."""
        pr = get_request_for_user(request.user, reference)
        data = {}
        if input_serializer is not None:
            serializer = input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        act(actor=request.user, request=pr, ip=client_ip(request), **data)
        return self._detail(reference)

    @extend_schema(summary="Submit a draft for review", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, reference):
        return self._act(request, reference, workflow.request_submit)

    @extend_schema(
        summary="Withdraw an open request (its author's department)",
        request=review.WithdrawSerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, reference):
        return self._act(request, reference, workflow.request_withdraw, review.WithdrawSerializer)

    @extend_schema(summary="Take a submitted request into review (reviewers)", request=None)
    @action(detail=True, methods=["post"], url_path="take-into-review")
    def take_into_review(self, request, reference):
        return self._act(request, reference, workflow.request_take_into_review)

    @extend_schema(
        summary="Set the risk tier by hand, with the reason (reviewers; approvers once recommended)",
        description="Always needs a reason and a current assessment; never below the policy's "
        "floor. Only an approver who did not recommend lowers a high or very high tier.",
        request=review.SetTierSerializer,
    )
    @action(detail=True, methods=["post"], url_path="set-tier")
    def set_tier(self, request, reference):
        return self._act(request, reference, workflow.request_set_tier, review.SetTierSerializer)

    @extend_schema(
        summary="Assess the risk under the active scoring policy; the result is under assessments/",
        request=None,
    )
    @action(detail=True, methods=["post"])
    def assess(self, request, reference):
        return self._act(request, reference, request_assess_by)

    @extend_schema(
        summary="Recommend an outcome for a request under review (reviewers)",
        request=review.RecommendSerializer,
    )
    @action(detail=True, methods=["post"])
    def recommend(self, request, reference):
        return self._act(request, reference, workflow.request_recommend, review.RecommendSerializer)

    @extend_schema(
        summary="Decide a recommended request (high tiers: an approver who did not recommend)",
        description="Refused (409) while any gate is open (see gates/). When the tier's route "
        "needs sign-offs the request answers with status `awaiting_sign_off`: the decision "
        "holds once the last sign-off is given (sign-off/).",
        request=review.DecideSerializer,
        examples=[
            OpenApiExample(
                "Approve with a condition",
                value={
                    "outcome": "approved_with_conditions",
                    "reasoning": "Benefits outweigh the risk with the export-control review.",
                    "conditions": [
                        {
                            "text": "Export-control review of shared designs",
                            "due_date": "2027-03-31",
                        }
                    ],
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, reference):
        return self._act(request, reference, _decide, review.DecideSerializer)

    @extend_schema(
        summary="Reopen a decided request; its decision is kept, superseded",
        request=review.ReopenSerializer,
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, reference):
        return self._act(request, reference, workflow.request_reopen, review.ReopenSerializer)


def _decide(*, conditions, **arguments):
    """request_decide with the conditions as the workflow takes them."""
    return workflow.request_decide(
        conditions=[
            workflow.ConditionInput(text=c["text"], due_date=c["due_date"]) for c in conditions
        ],
        **arguments,
    )


@extend_schema_view(
    list=extend_schema(summary="A request's assessments, newest first"),
    retrieve=extend_schema(summary="One assessment with its explained factors"),
)
class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Assessment snapshots of a request the caller may see; they never change."""

    serializer_class = rs.AssessmentSerializer
    queryset = Assessment.objects.none()

    def get_queryset(self):
        pr = get_request_for_user(self.request.user, self.kwargs["reference"])
        return pr.assessments.select_related(
            "request", "policy", "checklist_version", "created_by"
        ).order_by("-created_at", "-id")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
