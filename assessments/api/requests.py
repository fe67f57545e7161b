"""Partnership requests and their assessments over the API, through the web UI's own functions.

Refusals: a WorkflowError on create is bad input (400); on an existing request (edit,
submit) it conflicts with the request's state (409, `code` "workflow_refused"); a stale
`version` is 409 with `code` "version_conflict" and the `current_version`.
"""

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from ukcn.roles import Role, has_role

from .. import workflow
from ..audit import client_ip
from ..filters import UNSCORED, requests_filter
from ..models import Assessment, Partner, PartnershipRequest
from ..permissions import get_request_for_user, visible_requests
from . import request_serializers as rs
from .fields import query_filters

REQUEST_PREFETCH = (
    Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
    "funding_sources",
    "sectors",
    "disciplines",
    Prefetch("assessments", queryset=Assessment.objects.select_related("policy").defer("facts")),
)


def _filter_params(filters: dict) -> dict[str, str]:
    """The API's validated filters as the shared list filter's query parameters."""
    params = {}
    for name, value in filters.items():
        if hasattr(value, "code"):
            value = value.code
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        params[name] = str(value)
    if params.get("tier") == "none":
        params["tier"] = UNSCORED
    return params


class MayWriteRequests(BasePermission):
    """Writes need a role that may register requests, as on the web; reads need a login."""

    message = "Only requesters and reviewers may register, edit or submit requests."

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or has_role(
            request.user, Role.REQUESTER, Role.REVIEWER
        )


def _refusal(exc: workflow.WorkflowError, *, request=None, status_code=status.HTTP_409_CONFLICT):
    body = {"error": str(exc), "detail": str(exc), "code": "workflow_refused"}
    if isinstance(exc, workflow.ConflictError) and request is not None:
        body["code"] = "version_conflict"
        body["current_version"] = (
            PartnershipRequest.objects.filter(pk=request.pk).values_list("version", flat=True).get()
        )
    return Response(body, status=status_code)


def _partner_inputs(rows, *, actor, ip) -> list[workflow.PartnerInput]:
    """Partners as the workflow takes them, registering new organisations on the way."""
    inputs = []
    for row in rows:
        organisation = row.get("organisation") or workflow.organisation_create(
            actor=actor, ip=ip, **row["new_organisation"]
        )
        inputs.append(workflow.PartnerInput(organisation=organisation, role=row.get("role", "")))
    return inputs


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


def _facts(data: dict, *, actor, ip) -> workflow.RequestFacts:
    """Plain facts for the workflow from complete validated input."""
    return workflow.RequestFacts(
        fields={name: data[name] for name in workflow.EDITABLE_FIELDS},
        sectors=list(data["sectors"]),
        disciplines=list(data["disciplines"]),
        partners=_partner_inputs(data["partners"], actor=actor, ip=ip),
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
        responses={201: rs.RequestSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a request (drafts; reviewers correct submitted ones)",
        request=rs.RequestUpdateSerializer,
        responses={200: rs.RequestSerializer},
    ),
)
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Partnership requests: department-scoped exactly as in the web interface."""

    serializer_class = rs.RequestSerializer
    permission_classes = [IsAuthenticated, MayWriteRequests]
    lookup_field = "reference"
    lookup_value_regex = rs.REFERENCE_PATTERN
    queryset = PartnershipRequest.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        requests = visible_requests(self.request.user)
        filters = query_filters(rs.RequestFilterSerializer, self.request.query_params)
        return (
            requests_filter(requests=requests, params=_filter_params(filters))
            .requests.select_related("department", "created_by", "reviewer")
            .prefetch_related(*REQUEST_PREFETCH)
        )

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
        serializer = rs.RequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        department = data.pop("department", None)
        ip = client_ip(request)
        try:
            with transaction.atomic():
                facts = _facts(data, actor=request.user, ip=ip)
                pr = workflow.request_create(
                    actor=request.user, facts=facts, department=department, ip=ip
                )
        except workflow.WorkflowError as exc:
            return _refusal(exc, status_code=status.HTTP_400_BAD_REQUEST)
        response = self._detail(pr.reference, status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path}{pr.reference}/")
        return response

    def partial_update(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        serializer = rs.RequestUpdateSerializer(pr, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {**_saved(pr), **serializer.validated_data}
        version = data.pop("version")
        ip = client_ip(request)
        try:
            with transaction.atomic():
                facts = _facts(data, actor=request.user, ip=ip)
                workflow.request_update(
                    actor=request.user, request=pr, version=version, facts=facts, ip=ip
                )
        except workflow.WorkflowError as exc:
            return _refusal(exc, request=pr)
        return self._detail(reference)

    @extend_schema(summary="Submit a draft for review", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, reference):
        pr = get_request_for_user(request.user, reference)
        try:
            workflow.request_submit(actor=request.user, request=pr, ip=client_ip(request))
        except workflow.WorkflowError as exc:
            return _refusal(exc, request=pr)
        return self._detail(reference)


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
