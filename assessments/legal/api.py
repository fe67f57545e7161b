"""The legal determinations over the API, with the web step's permissions: the central office
and auditors read them; reviewers record them (the same services, so the same refusals: 403
for a role that may never record, 409 for the request's state or segregation of duties, 400
for an incomplete determination)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.fields import MAX_POSITIVE_INT, StrictCharField, StrictIntegerField
from ..audit import client_ip
from ..models import Attachment
from ..models.legal import (
    ExemptionBasis,
    ExportOutcome,
    FirsOutcome,
    FirsTier,
    LicenceIssuer,
    LicenceType,
    NsiNotificationStatus,
    NsiOutcome,
    Regime,
)
from ..permissions import get_request_for_user
from ..workflow.rules import refuse_role
from .overview import legal_overview, rating_labels
from .services import (
    ExportInput,
    FirsInput,
    NsiInput,
    SanctionsLicenceInput,
    export_determination_record,
    firs_determination_record,
    nsi_determination_record,
    sanctions_licence_record,
    sanctions_matches,
)
from .views import may_read_legal

# --- what the API answers -------------------------------------------------------------------


class DeterminationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    regime = serializers.ChoiceField(choices=Regime.choices)
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    reasoning = serializers.CharField()
    ratings = serializers.ListField(child=serializers.CharField())
    rating_labels = serializers.SerializerMethodField()
    ratings_source = serializers.CharField()
    exemption_basis = serializers.CharField()
    licence_type = serializers.CharField()
    licence_issuer = serializers.CharField()
    licence_reference = serializers.CharField()
    licence_expiry = serializers.DateField(allow_null=True)
    advisory_reference = serializers.CharField()
    nsi_version = serializers.CharField(
        source="nsi_version.code", allow_null=True, help_text="The NSI area version used."
    )
    nsi_areas = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    notify = serializers.BooleanField(allow_null=True)
    notification_status = serializers.CharField()
    isu_reference = serializers.CharField()
    match = serializers.IntegerField(source="match_id", allow_null=True)
    firs_tier = serializers.CharField()
    foreign_power = serializers.CharField()
    arrangement_date = serializers.DateField(allow_null=True)
    activity_start_date = serializers.DateField(allow_null=True)
    registration_due = serializers.DateField(allow_null=True)
    registration_reference = serializers.CharField()
    evidence = serializers.SerializerMethodField(help_text="Ids of the evidence attachments.")
    recorded_by = serializers.CharField(source="recorded_by.get_username")
    recorded_at = serializers.DateTimeField()

    def get_rating_labels(self, record) -> list[str]:
        return rating_labels(record.ratings)

    def get_evidence(self, record) -> list[int]:
        return sorted(attachment.pk for attachment in record.evidence.all())


class SanctionsMatchSerializer(serializers.Serializer):
    match = serializers.IntegerField(source="0.pk")
    organisation = serializers.CharField(source="0.partner.organisation.name")
    matched_name = serializers.CharField(source="0.matched_name")
    watchlist = serializers.CharField(source="0.watchlist.name")
    licence = DeterminationSerializer(source="1", allow_null=True)


class SectionSerializer(serializers.Serializer):
    regime = serializers.ChoiceField(choices=Regime.choices)
    label = serializers.CharField()
    applies = serializers.BooleanField(help_text="The request's facts call for it.")
    why = serializers.CharField()
    status = serializers.ChoiceField(choices=["Not needed", "To determine", "Satisfied", "Open"])
    satisfied = serializers.BooleanField()
    missing = serializers.CharField()
    determination = DeterminationSerializer(allow_null=True)
    matches = SanctionsMatchSerializer(many=True)
    history = DeterminationSerializer(many=True)


# --- what the API takes ----------------------------------------------------------------------


class _EvidenceMixin(serializers.Serializer):
    evidence = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_POSITIVE_INT),
        required=False,
        default=list,
        help_text="Ids of the request's attachments that evidence the determination.",
    )


class ExportWriteSerializer(_EvidenceMixin):
    outcome = serializers.ChoiceField(choices=ExportOutcome.choices)
    reasoning = StrictCharField(required=False, allow_blank=True, default="")
    ratings = serializers.ListField(
        child=StrictCharField(max_length=20),
        required=False,
        default=list,
        help_text='Control list headings, e.g. "ML22", "CAT3", "3E", "PL5001".',
    )
    exemption_basis = serializers.ChoiceField(
        choices=ExemptionBasis.choices, required=False, allow_blank=True, default=""
    )
    licence_type = serializers.ChoiceField(
        choices=LicenceType.choices, required=False, allow_blank=True, default=""
    )
    licence_reference = StrictCharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    licence_expiry = serializers.DateField(required=False, allow_null=True, default=None)
    advisory_reference = StrictCharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class NsiWriteSerializer(_EvidenceMixin):
    outcome = serializers.ChoiceField(choices=NsiOutcome.choices)
    reasoning = StrictCharField(required=False, allow_blank=True, default="")
    areas = serializers.ListField(
        child=StrictCharField(max_length=60), required=False, default=list
    )
    notify = serializers.BooleanField(required=False, allow_null=True, default=None)
    notification_status = serializers.ChoiceField(
        choices=NsiNotificationStatus.choices, required=False, allow_blank=True, default=""
    )
    isu_reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class FirsWriteSerializer(_EvidenceMixin):
    outcome = serializers.ChoiceField(choices=FirsOutcome.choices)
    reasoning = StrictCharField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(
        choices=FirsTier.choices, required=False, allow_blank=True, default=""
    )
    foreign_power = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    arrangement_date = serializers.DateField(required=False, allow_null=True, default=None)
    activity_start_date = serializers.DateField(required=False, allow_null=True, default=None)
    registration_reference = StrictCharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class SanctionsWriteSerializer(_EvidenceMixin):
    issuer = serializers.ChoiceField(choices=LicenceIssuer.choices)
    reference = StrictCharField(max_length=100)
    expiry = serializers.DateField(required=False, allow_null=True, default=None)
    reasoning = StrictCharField(required=False, allow_blank=True, default="")


# --- the views -----------------------------------------------------------------------------


def _readable(user, reference):
    pr = get_request_for_user(user, reference)
    if not may_read_legal(user):
        raise PermissionDenied("Legal determinations are for the central office and auditors.")
    return pr


def _overview(pr) -> list:
    return SectionSerializer(legal_overview(pr), many=True).data


def _evidence(pr, ids) -> list[Attachment]:
    found = list(Attachment.objects.filter(request=pr, pk__in=ids))
    if len(found) != len(set(ids)):
        raise serializers.ValidationError({"evidence": ["Not an attachment of this request."]})
    return found


class LegalView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="A request's legal determinations: one section per regime (central office, "
        "auditors)",
        responses=SectionSerializer(many=True),
    )
    def get(self, request, reference):
        return Response(_overview(_readable(request.user, reference)))


class _RecordView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class = None
    record = None
    input_class = None

    def post(self, request, reference):
        refuse_role(request.user, "record_legal")
        pr = _readable(request.user, reference)
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evidence = _evidence(pr, data.pop("evidence"))
        self.record(
            actor=request.user,
            request=pr,
            data=self.input_class(**data),
            evidence=evidence,
            ip=client_ip(request),
        )
        return Response(_overview(pr))


def _record_view(name: str, serializer, record, input_class, summary: str):
    """A view that records one regime's determination through its service."""

    @extend_schema(summary=summary, request=serializer, responses=SectionSerializer(many=True))
    def post(self, request, reference):
        return _RecordView.post(self, request, reference)

    attributes = {
        "serializer_class": serializer,
        "record": staticmethod(record),
        "input_class": input_class,
        "post": post,
    }
    return type(name, (_RecordView,), attributes)


ExportRecordView = _record_view(
    "ExportRecordView",
    ExportWriteSerializer,
    export_determination_record,
    ExportInput,
    "Record the export control determination (reviewers)",
)
NsiRecordView = _record_view(
    "NsiRecordView",
    NsiWriteSerializer,
    nsi_determination_record,
    NsiInput,
    "Record the NSI Act determination (reviewers)",
)
FirsRecordView = _record_view(
    "FirsRecordView",
    FirsWriteSerializer,
    firs_determination_record,
    FirsInput,
    "Record the FIRS determination (reviewers)",
)


MATCH_ID = OpenApiParameter(
    "match_id",
    {"type": "integer", "minimum": 1, "maximum": MAX_POSITIVE_INT},
    OpenApiParameter.PATH,
    description="The confirmed sanctions match's id (from matches/).",
)


class SanctionsLicenceView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Record the OFSI or ECJU licence for a confirmed sanctions match (reviewers)",
        parameters=[MATCH_ID],
        request=SanctionsWriteSerializer,
        responses=SectionSerializer(many=True),
    )
    def post(self, request, reference, match_id):
        refuse_role(request.user, "record_legal")
        pr = _readable(request.user, reference)
        match = get_object_or_404(sanctions_matches(pr), pk=match_id)
        serializer = SanctionsWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evidence = _evidence(pr, data.pop("evidence"))
        sanctions_licence_record(
            actor=request.user,
            request=pr,
            match=match,
            data=SanctionsLicenceInput(**data),
            evidence=evidence,
            ip=client_ip(request),
        )
        return Response(_overview(pr))
