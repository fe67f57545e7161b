"""API for the people on a request, with the web's permissions: visible to the central office
and the department's requesters (404 for everyone else); changed through the same services."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.fields import StrictBooleanField, StrictCharField, country_code
from ..audit import client_ip
from ..models import ImmigrationRoute, Organisation, Person, PersonCategory
from ..permissions import visible_organisations
from .access import get_request_with_people
from .services import certificate_record, person_add, person_remove, person_update
from .status import person_standing


class DeterminationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["not_required", "required", "unknown"])
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    list_version = serializers.CharField()


class CertificateSerializer(serializers.Serializer):
    reference = StrictCharField(max_length=100)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Default: six months from issue."
    )


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = StrictCharField(max_length=300, help_text="As the person writes it, any script.")
    category = serializers.ChoiceField(choices=PersonCategory.choices)
    project_role = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    home_organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.none(), required=False, allow_null=True, default=None
    )
    nationalities = serializers.ListField(
        child=StrictCharField(max_length=2),
        required=False,
        default=list,
        max_length=10,
        help_text="ISO 3166 codes. Used only for the ATAS determination, as ATAS uses them.",
    )
    coming_to_uk = StrictBooleanField(required=False, allow_null=True, default=None)
    immigration_route = serializers.ChoiceField(
        choices=ImmigrationRoute.choices, required=False, allow_blank=True, default=""
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    cah3_code = StrictCharField(max_length=20, required=False, allow_blank=True, default="")
    soc_code = StrictCharField(max_length=10, required=False, allow_blank=True, default="")
    atas = serializers.SerializerMethodField()
    may_not_start = serializers.SerializerMethodField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None:
            self.fields["home_organisation"].queryset = visible_organisations(user)

    def validate_nationalities(self, value):
        return sorted({country_code(code, required=True) for code in value})

    @extend_schema(responses=DeterminationSerializer)
    def get_atas(self, person) -> dict:
        return person_standing(person).determination.as_dict()

    def get_may_not_start(self, person) -> bool:
        return person_standing(person).may_not_start

    def to_representation(self, person):
        data = super().to_representation(person)
        data["home_organisation"] = person.home_organisation_id
        return data


def _row(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("id", "atas", "may_not_start")}


class PeopleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The people on a request, with their ATAS determinations",
        responses=PersonSerializer(many=True),
    )
    def get(self, request, reference):
        pr = get_request_with_people(request.user, reference)
        people = pr.people.filter(erased_at__isnull=True).prefetch_related("atas_certificates")
        return Response(PersonSerializer(people, many=True, context={"user": request.user}).data)

    @extend_schema(
        summary="Add a person (department requesters on a draft; reviewers)",
        request=PersonSerializer,
        responses={201: PersonSerializer},
    )
    def post(self, request, reference):
        pr = get_request_with_people(request.user, reference)
        serializer = PersonSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        person = person_add(
            request=pr,
            actor=request.user,
            row=_row(serializer.validated_data),
            ip=client_ip(request),
        )
        return Response(
            PersonSerializer(person, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class PersonView(APIView):
    permission_classes = [IsAuthenticated]

    def _person(self, request, reference, pk) -> Person:
        pr = get_request_with_people(request.user, reference)
        person = pr.people.filter(pk=pk).first()
        if person is None:
            raise Http404("No such person.")
        return person

    @extend_schema(summary="One person on a request", responses=PersonSerializer)
    def get(self, request, reference, pk):
        person = self._person(request, reference, pk)
        return Response(PersonSerializer(person, context={"user": request.user}).data)

    @extend_schema(
        summary="Correct a person (department requesters on a draft; reviewers)",
        request=PersonSerializer,
        responses=PersonSerializer,
    )
    def patch(self, request, reference, pk):
        person = self._person(request, reference, pk)
        serializer = PersonSerializer(
            data=request.data, partial=True, context={"user": request.user}
        )
        serializer.is_valid(raise_exception=True)
        person = person_update(
            person=person,
            actor=request.user,
            row=_row(serializer.validated_data),
            ip=client_ip(request),
        )
        return Response(PersonSerializer(person, context={"user": request.user}).data)

    @extend_schema(summary="Remove a person from the request", responses={204: None})
    def delete(self, request, reference, pk):
        person = self._person(request, reference, pk)
        person_remove(person=person, actor=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CertificateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record a person's ATAS certificate (department requesters, reviewers)",
        request=CertificateSerializer,
        responses={201: PersonSerializer},
    )
    def post(self, request, reference, pk):
        person = PersonView()._person(request, reference, pk)
        serializer = CertificateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate_record(
            person=person, actor=request.user, ip=client_ip(request), **serializer.validated_data
        )
        return Response(
            PersonSerializer(person, context={"user": request.user}).data,
            status=status.HTTP_201_CREATED,
        )
