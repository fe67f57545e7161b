"""Requests in and out of the API: read shapes, and write shapes validated like the web forms."""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ukcn.models import Department

from ..gates import STEPS, gates_summary, next_step, request_gates
from ..models import (
    Assessment,
    CollaborationType,
    Discipline,
    FunderType,
    Organisation,
    OrganisationType,
    PartnershipRequest,
    RequestStatus,
    Sector,
    SignOff,
    Tier,
    WorkLocation,
)
from ..models.requests import IpKind, ResearchKind, TechnologyReadiness, Transfer
from ..permissions import visible_organisations
from ..screening.service import request_under_rereview
from ..workflow import EDITABLE_FIELDS, request_actions_for
from ..workflow.facts import funding_row_validate, request_facts_validate, serializer_errors
from .check_serializers import DecisionSerializer, GateSerializer
from .fields import (
    MAX_POSITIVE_INT,
    StrictBooleanField,
    StrictCharField,
    StrictEmailField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
    StrictSlugRelatedField,
    StrictURLField,
    country_code,
)
from .serializers import OrganisationSerializer

# What a request reference may look like in a URL (PR-2026-0001, DEMO-2019-0042).
REFERENCE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"
NEXT_STEP_HELP = "The gated step that comes next (recommend, decide, sign_off); null when none is."


# --- reading ---------------------------------------------------------------------------------


class PartnerReadSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    role = serializers.CharField()


class FundingReadSerializer(serializers.Serializer):
    funder_name = serializers.CharField()
    country = serializers.CharField()
    funder_type = serializers.ChoiceField(choices=FunderType.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    currency = serializers.CharField()
    origin_undisclosed = serializers.BooleanField()


class AssessmentSummarySerializer(serializers.ModelSerializer):
    floor = serializers.ChoiceField(choices=Tier.choices, allow_blank=True, read_only=True)
    outcome = serializers.CharField(
        read_only=True,
        help_text="Two-axis policies: no_mitigation_needed, mitigation_recommended, "
        "mitigation_required or not_permissible_without_exception; blank under points.",
    )
    summary = serializers.SerializerMethodField(
        help_text="The cell in one sentence (two-axis policies); blank under points."
    )
    policy_number = serializers.IntegerField(source="policy.number")

    class Meta:
        model = Assessment
        fields = [
            "id",
            "tier",
            "route_code",
            "route_label",
            "inherent",
            "mitigation",
            "residual",
            "floor",
            "not_permissible_without_exception",
            "outcome",
            "summary",
            "policy_number",
            "created_at",
        ]

    def get_summary(self, assessment) -> str:
        return assessment.explanation.get("summary", "")


class FactorSerializer(serializers.Serializer):
    """A factor: its points under a points policy (schema 1), or its level on an axis and
    what a control lowered it to under the two-axis matrix (schema 2)."""

    code = serializers.CharField()
    label = serializers.CharField()
    points = serializers.IntegerField(allow_null=True, help_text="Null under the matrix.")
    axis = serializers.CharField(required=False, default="", help_text="Matrix only.")
    level = serializers.CharField(required=False, default="", help_text="Matrix only.")
    lowered_to = serializers.CharField(required=False, default="", help_text="Matrix only.")
    lowered_by = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    sentence = serializers.CharField()


class ControlSerializer(serializers.Serializer):
    ref_id = serializers.CharField()
    axis = serializers.CharField()
    answer = serializers.CharField(allow_blank=True)
    lowered = serializers.ListField(child=serializers.CharField())
    sentence = serializers.CharField()


class MatrixSerializer(serializers.Serializer):
    """The matrix cell and how the axes were reached (two-axis policies only)."""

    sensitivity = serializers.CharField()
    sensitivity_before_controls = serializers.CharField()
    partner = serializers.CharField()
    partner_before_controls = serializers.CharField()
    cell_tier = serializers.CharField()
    cell_tier_before_controls = serializers.CharField()
    outcome_label = serializers.CharField()


class AssessmentSerializer(AssessmentSummarySerializer):
    """One assessment snapshot, with the factors that explain its score."""

    request = serializers.CharField(source="request.reference")
    factors = FactorSerializer(source="factor_rows", many=True)
    matrix = serializers.SerializerMethodField()
    controls = ControlSerializer(source="control_rows", many=True)
    checklist_version = serializers.IntegerField(
        source="checklist_version.number", allow_null=True, default=None
    )
    watchlist_versions_used = serializers.ListField(child=serializers.CharField())
    created_by = serializers.CharField(source="created_by.get_username")

    @extend_schema_field(MatrixSerializer(allow_null=True))
    def get_matrix(self, assessment):
        if not assessment.is_matrix:
            return None
        return MatrixSerializer(assessment.explanation).data

    class Meta(AssessmentSummarySerializer.Meta):
        fields = [
            *AssessmentSummarySerializer.Meta.fields,
            "request",
            "floor_reason",
            "matrix",
            "factors",
            "controls",
            "checklist_version",
            "watchlist_version_ids",
            "watchlist_versions_used",
            "created_by",
        ]


class RequestSerializer(serializers.ModelSerializer):
    """A partnership request as the API shows it, with the actions the caller may take now."""

    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tier = serializers.ChoiceField(
        choices=Tier.choices, allow_blank=True, read_only=True, help_text="Blank until scored."
    )
    lead_academic_email = serializers.CharField(read_only=True, help_text="May be blank.")
    research_kind = serializers.ChoiceField(
        choices=ResearchKind.choices, allow_blank=True, read_only=True, help_text="Blank if unsaid."
    )
    technology_readiness = serializers.ChoiceField(
        choices=TechnologyReadiness.choices,
        allow_blank=True,
        read_only=True,
        help_text='"basic" or a TRL "1" to "9"; blank if unsaid.',
    )
    transfers = serializers.ListField(
        child=serializers.ChoiceField(choices=Transfer.choices), read_only=True
    )
    ip_kind = serializers.ChoiceField(
        choices=IpKind.choices, allow_blank=True, read_only=True, help_text="Blank if unsaid."
    )
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)
    reviewer = serializers.SerializerMethodField()
    sectors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    disciplines = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    partners = PartnerReadSerializer(many=True, read_only=True)
    funding = FundingReadSerializer(source="funding_sources", many=True, read_only=True)
    latest_assessment = serializers.SerializerMethodField()
    under_rereview = serializers.SerializerMethodField(
        help_text="Recommended or decided, with a screening match found since that a reviewer "
        "has yet to resolve."
    )
    actions = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = PartnershipRequest
        fields = [
            "reference",
            "url",
            "status",
            "tier",
            "department",
            "created_by",
            "reviewer",
            *EDITABLE_FIELDS,
            "sectors",
            "disciplines",
            "partners",
            "funding",
            "latest_assessment",
            "next_review_date",
            "under_rereview",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
            "version",
            "actions",
        ]
        read_only_fields = fields

    def get_reviewer(self, obj) -> str | None:
        return obj.reviewer.get_username() if obj.reviewer_id else None

    @extend_schema_field(AssessmentSummarySerializer(allow_null=True))
    def get_latest_assessment(self, obj):
        # Assessments are prefetched newest first.
        assessments = list(obj.assessments.all())
        return AssessmentSummarySerializer(assessments[0]).data if assessments else None

    def get_under_rereview(self, obj) -> bool:
        # The list annotates it (one query for the page); a single request asks.
        annotated = getattr(obj, "rereview_pending", None)
        return request_under_rereview(obj) if annotated is None else annotated

    def get_actions(self, obj) -> list[str]:
        return sorted(request_actions_for(self.context["request"].user, obj))

    def get_url(self, obj) -> str:
        """The request's page in the web interface."""
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class RequestDetailSerializer(RequestSerializer):
    """One request, with what is missing before its next step and its current decision."""

    next_step = serializers.SerializerMethodField()
    gates = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta(RequestSerializer.Meta):
        fields = [
            *RequestSerializer.Meta.fields,
            "next_step",
            "gates",
            "missing",
            "decision",
        ]
        read_only_fields = fields

    def _gates(self, obj) -> list:
        if not hasattr(obj, "_api_gates"):
            obj._api_gates = request_gates(obj)
        return obj._api_gates

    @extend_schema_field(
        serializers.ChoiceField(choices=STEPS, allow_null=True, help_text=NEXT_STEP_HELP)
    )
    def get_next_step(self, obj):
        return next_step(obj)

    @extend_schema_field(GateSerializer(many=True))
    def get_gates(self, obj):
        return [gate.as_dict() for gate in self._gates(obj)]

    def get_missing(self, obj) -> str:
        """The open gates in one line; blank when nothing is missing."""
        return gates_summary(self._gates(obj))

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, obj):
        """The decision in force or awaiting sign-off; null when there is none."""
        decision = (
            obj.decisions.filter(superseded=False)
            .select_related("decided_by")
            .prefetch_related(Prefetch("sign_offs", SignOff.objects.select_related("signed_by")))
            .order_by("-created_at", "-id")
            .first()
        )
        return DecisionSerializer(decision).data if decision else None


# --- writing ---------------------------------------------------------------------------------


class OrganisationWriteSerializer(serializers.Serializer):
    """A partner organisation not yet registered; created with the request."""

    name = StrictCharField(max_length=300)
    name_native = StrictCharField(max_length=300, required=False, allow_blank=True)
    country = StrictCharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. CN.")
    org_type = serializers.ChoiceField(
        choices=OrganisationType.choices, default=OrganisationType.UNIVERSITY
    )
    city = StrictCharField(max_length=200, required=False, allow_blank=True)
    website = StrictURLField(max_length=200, required=False, allow_blank=True)
    identity = StrictCharField(
        max_length=40,
        required=False,
        help_text="Which organisation the name is, when several fit: a candidate's key from "
        'GET /organisations/resolve/?q=... ("org:<id>" or "ror:<ROR id>"), or "new" for '
        "none of them. Left out, the name is resolved (English, Chinese, pinyin, acronym) to "
        "an existing organisation or a ROR identity; several equally fitting ones are refused "
        "with code organisation_ambiguous.",
    )

    def validate_country(self, value):
        return country_code(value, required=True)


class VisibleOrganisationField(StrictPrimaryKeyRelatedField):
    """An organisation the caller may see (as /api/v1/organisations/ lists); any other id is
    answered as not existing, so its details are never echoed back."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Organisation.objects.none()
        return visible_organisations(request.user)


class PartnerWriteSerializer(serializers.Serializer):
    """A partner: an existing organisation's id, or a new organisation described inline."""

    organisation = VisibleOrganisationField(
        queryset=Organisation.objects.all(),  # the model, for the schema; narrowed per caller
        required=False,
        allow_null=True,
        help_text="Id of a registered organisation (see /api/v1/organisations/).",
    )
    new_organisation = OrganisationWriteSerializer(required=False)
    role = StrictCharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        has_existing = attrs.get("organisation") is not None
        if has_existing == ("new_organisation" in attrs):
            raise serializers.ValidationError(
                "Give either an existing organisation's id or a new_organisation, not both."
            )
        return attrs


class FundingWriteSerializer(serializers.Serializer):
    funder_name = StrictCharField(max_length=300, required=False, allow_blank=True)
    country = StrictCharField(
        max_length=2, required=False, allow_blank=True, default="", help_text="ISO 3166 code."
    )
    funder_type = serializers.ChoiceField(choices=FunderType.choices)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = StrictCharField(max_length=3, required=False, default="GBP")
    origin_undisclosed = StrictBooleanField(required=False, default=False)

    def validate_country(self, value):
        return country_code(value, required=False)

    def validate_currency(self, value):
        return value.strip().upper()

    def validate(self, attrs):
        errors = funding_row_validate(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class RequestWriteSerializer(serializers.Serializer):
    """What a requester states about a request; the same checks as the web form."""

    title = StrictCharField(max_length=300)
    summary = StrictCharField()
    lead_academic = StrictCharField(max_length=200)
    lead_academic_email = StrictEmailField(
        max_length=254, required=False, allow_blank=True, default=""
    )
    collaboration_type = serializers.ChoiceField(choices=CollaborationType.choices)
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    work_location = serializers.ChoiceField(choices=WorkLocation.choices)
    no_nsi_sector = StrictBooleanField(required=False, default=False)
    export_controlled = StrictBooleanField(required=False, default=False)
    dual_use = StrictBooleanField(required=False, default=False)
    personal_data = StrictBooleanField(required=False, default=False)
    data_leaves_uk = StrictBooleanField(required=False, default=False)
    data_leaves_partner_country = StrictBooleanField(required=False, default=False)
    people_exchanged = StrictIntegerField(
        min_value=0, max_value=MAX_POSITIVE_INT, required=False, default=0
    )
    lab_access = StrictBooleanField(required=False, default=False)
    staff_travel = StrictBooleanField(required=False, default=False)
    # Intake questions of the two-axis risk model; checked by request_facts_validate.
    research_kind = serializers.ChoiceField(
        choices=ResearchKind.choices, required=False, allow_blank=True, default=""
    )
    technology_readiness = serializers.ChoiceField(
        choices=TechnologyReadiness.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text='"basic" (basic research) or a technology readiness level "1" to "9".',
    )
    largest_foreign_funding_share = StrictIntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        default=None,
        help_text="Share (%) of the project's funding from its largest foreign source.",
    )
    ip_arrangements = StrictCharField(required=False, allow_blank=True, default="")
    # Facts the legal determinations need; checked by request_facts_validate.
    transfers = serializers.ListField(
        child=serializers.ChoiceField(choices=Transfer.choices),
        required=False,
        default=list,
        help_text="What will be transferred abroad: items, software, technology, data.",
    )
    ip_kind = serializers.ChoiceField(
        choices=IpKind.choices, required=False, allow_blank=True, default=""
    )
    sensitivity_notes = StrictCharField(required=False, allow_blank=True, default="")
    statement_of_intent_agreed = StrictBooleanField(required=False, default=False)
    statement_of_intent = StrictCharField(required=False, allow_blank=True, default="")
    sectors = StrictSlugRelatedField(
        slug_field="code",
        queryset=Sector.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="NSI Act sector codes, e.g. advanced-materials.",
    )
    disciplines = StrictSlugRelatedField(
        slug_field="code",
        queryset=Discipline.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Discipline codes.",
    )
    partners = PartnerWriteSerializer(many=True, required=False, default=list)
    funding = FundingWriteSerializer(many=True, required=False, default=list)

    def validate(self, attrs):
        merged = {**self.current_values(), **attrs}
        errors = request_facts_validate(merged)
        if errors:
            raise serializers.ValidationError(serializer_errors(errors))
        return attrs

    def current_values(self) -> dict:
        """The saved request's values, which a partial update keeps where it says nothing."""
        if self.instance is None:
            return {}
        values = {name: getattr(self.instance, name) for name in EDITABLE_FIELDS}
        values["sectors"] = list(self.instance.sectors.all())
        values["registered_on"] = timezone.localdate(self.instance.created_at)
        return values


class RequestCreateSerializer(RequestWriteSerializer):
    department = StrictSlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Department code; only for central staff registering on a department's "
        "behalf. Requesters always register for their own department.",
    )


class RequestUpdateSerializer(RequestWriteSerializer):
    """A partial edit: the fields given change, the rest stay; `version` is always needed."""

    version = StrictIntegerField(
        min_value=1,
        max_value=MAX_POSITIVE_INT,
        help_text="The version you read; a stale one is refused with 409.",
    )

    def validate(self, attrs):
        if "version" not in attrs:
            raise serializers.ValidationError({"version": ["Give the version you read."]})
        return super().validate(attrs)


class RequestFilterSerializer(serializers.Serializer):
    """The request list's filters, as query parameters; each optional, combined with AND."""

    q = StrictCharField(
        required=False, max_length=200, help_text="Reference, title, summary, lead or partner."
    )
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    tier = serializers.ChoiceField(
        choices=[*Tier.choices, ("unscored", "Not yet scored")], required=False
    )
    country = StrictCharField(
        required=False, max_length=2, help_text="A partner's country (ISO 3166 code)."
    )
    sector = StrictSlugRelatedField(
        slug_field="code", queryset=Sector.objects.all(), required=False
    )
    department = StrictSlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False
    )
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)

    def validate_country(self, value):
        return country_code(value, required=False)
