from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from ukcn.models import department_of
from ukcn.roles import user_roles


@extend_schema(
    summary="Who am I",
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "roles": serializers.ListField(child=serializers.CharField()),
            "department": serializers.CharField(allow_null=True),
        },
    ),
)
@api_view(["GET"])
def me(request):
    """The authenticated user, their roles and department: a first call to check a token."""
    department = department_of(request.user)
    return Response(
        {
            "username": request.user.get_username(),
            "roles": sorted(user_roles(request.user)),
            "department": department.name if department else None,
        }
    )
