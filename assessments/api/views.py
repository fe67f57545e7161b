from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from ukcn.models import RoleAssignment, requester_department
from ukcn.roles import user_roles

from ..models import AuditEvent, Organisation, Watchlist, WatchlistVersion
from ..permissions import visible_organisations
from . import serializers as api_serializers
from .permissions import IsAuditor


@extend_schema(
    summary="Who am I",
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "roles": serializers.ListField(child=serializers.CharField()),
            "department": serializers.CharField(allow_null=True),
            "assignments": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
def me(request):
    """The authenticated user, their roles and assignments: a first call to check a token.

    `department` is the one department the user registers requests for (null with none or
    several); `assignments` lists each role with its department (null for central roles)."""
    department = requester_department(request.user)
    assignments = RoleAssignment.objects.filter(user=request.user).select_related("department")
    return Response(
        {
            "username": request.user.get_username(),
            "roles": sorted(user_roles(request.user)),
            "department": department.name if department else None,
            "assignments": [
                {
                    "role": a.role,
                    "department": a.department.name if a.department_id else None,
                    "source": a.source,
                }
                for a in assignments
            ],
        }
    )


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Partner organisations; a requester sees those in their department's requests."""

    serializer_class = api_serializers.OrganisationSerializer
    queryset = Organisation.objects.all()

    def get_queryset(self):
        return visible_organisations(self.request.user).order_by("name", "id")


class WatchlistViewSet(viewsets.ReadOnlyModelViewSet):
    """Watchlists partners are screened against, with their active version."""

    serializer_class = api_serializers.WatchlistSerializer
    queryset = Watchlist.objects.prefetch_related("versions").order_by("name")


class WatchlistVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Imported versions of one watchlist, newest first."""

    serializer_class = api_serializers.WatchlistVersionSerializer
    queryset = WatchlistVersion.objects.all()

    def get_queryset(self):
        # Look the watchlist up first: an unknown one is a 404, and an id beyond the
        # database's integer range is refused by the primary-key lookup, not the driver.
        watchlist = get_object_or_404(Watchlist, pk=self.kwargs["watchlist_pk"])
        return watchlist.versions.order_by("-number")


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, oldest first, for auditors."""

    serializer_class = api_serializers.AuditEventSerializer
    permission_classes = [IsAuditor]
    queryset = AuditEvent.objects.select_related("request").order_by("id")
