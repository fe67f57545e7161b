"""What the API shows of the checks a review finishes: screening matches, the checklist, the
gate list, and a decision with its sign-offs."""

from rest_framework import serializers

from ..gates import STEPS
from ..models import (
    Answer,
    ChecklistGroup,
    Decision,
    LegalEffect,
    MatchStatus,
    ScreeningMatch,
    SignOff,
    SubjectKind,
)
from .review_serializers import DECISION_OUTCOME_CHOICES
from .serializers import OrganisationSerializer


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


class ScreeningMatchSerializer(serializers.ModelSerializer):
    """A subject's name (a partner, a partner's parent or sub-partner, a funder, a person) that
    scored against a watchlist entry, and what a reviewer decided."""

    organisation = OrganisationSerializer(
        source="subject_organisation",
        read_only=True,
        allow_null=True,
        help_text="The organisation screened; null when the subject is a person.",
    )
    subject_kind = serializers.ChoiceField(
        choices=SubjectKind.choices,
        read_only=True,
        help_text="What the match is about: partner, funder, sub_partner, ancestor or person.",
    )
    subject_label = serializers.CharField(
        read_only=True, help_text="The subject as a reader sees it, e.g. 'parent X (of Y)'."
    )
    partner_organisation_id = serializers.SerializerMethodField(
        help_text="The partner the subject belongs to (its parent, its sub-partner), if any."
    )
    watchlist = serializers.CharField(source="watchlist.name", read_only=True)
    entry_id = serializers.CharField(
        source="external_id", read_only=True, help_text="The entry's id in the list's source."
    )
    status = serializers.ChoiceField(choices=MatchStatus.choices, read_only=True)
    reviewer = serializers.SerializerMethodField()
    legal_effect = serializers.ChoiceField(
        source="watchlist.legal_effect",
        choices=LegalEffect.choices,
        read_only=True,
        help_text="What a confirmed match on the list means in law; prohibited_unless_licensed "
        "holds the decision until a licence is recorded (see legal/).",
    )

    class Meta:
        model = ScreeningMatch
        fields = [
            "id",
            "subject_kind",
            "subject_label",
            "organisation",
            "partner_organisation_id",
            "watchlist",
            "entry_id",
            "matched_name",
            "screened_name",
            "score",
            "risk_level",
            "explanation",
            "status",
            "reason",
            "reviewer",
            "decided_at",
            "screened_at",
            "delisted_at",
            "legal_effect",
        ]
        read_only_fields = fields

    def get_reviewer(self, obj) -> str | None:
        return _username(obj.reviewer)

    def get_partner_organisation_id(self, obj) -> int | None:
        return obj.partner.organisation_id if obj.partner_id else None


class ChecklistItemSerializer(serializers.Serializer):
    """One item of the request's checklist version, with its answer (blank when unanswered)."""

    ref_id = serializers.CharField()
    group = serializers.ChoiceField(choices=ChecklistGroup.choices)
    question = serializers.CharField()
    help_text = serializers.CharField()
    weight = serializers.IntegerField()
    evidence_required = serializers.BooleanField()
    answer = serializers.ChoiceField(choices=Answer.choices, allow_blank=True)
    evidence_notes = serializers.CharField()
    explanation = serializers.CharField()
    attachment = serializers.IntegerField(allow_null=True)
    answered_by = serializers.CharField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class ChecklistSerializer(serializers.Serializer):
    checklist_version = serializers.IntegerField(
        allow_null=True, help_text="The checklist version the request is answered against."
    )
    version = serializers.IntegerField(
        help_text="The answers' revision: send it back with changes; it goes up with every "
        "answer changed (web or API)."
    )
    answered = serializers.IntegerField()
    item_count = serializers.IntegerField()
    may_answer = serializers.BooleanField(help_text="Whether you may answer it now.")
    items = ChecklistItemSerializer(many=True)


class GateSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. screening_resolved, checklist_complete.")
    label = serializers.CharField()
    satisfied = serializers.BooleanField()
    message = serializers.CharField(help_text="What is missing; blank when satisfied.")
    outstanding = serializers.IntegerField(help_text="How many things are outstanding.")


class GatesSerializer(serializers.Serializer):
    next_step = serializers.ChoiceField(
        choices=STEPS,
        allow_null=True,
        help_text="The gated step that comes next; null when none is (the gates shown are "
        "then those a decision needs).",
    )
    gates = GateSerializer(many=True)
    missing = serializers.CharField(
        help_text='The open gates in one line, e.g. "2 matches to resolve; assessment out of '
        'date"; blank when nothing is missing.'
    )


class SignOffSerializer(serializers.ModelSerializer):
    """One sign-off a decision's route requires, awaited, given or refused."""

    decision = serializers.IntegerField(source="decision_id", read_only=True)
    status = serializers.ChoiceField(choices=SignOff.Status.choices, read_only=True)
    signed_by = serializers.SerializerMethodField()

    class Meta:
        model = SignOff
        fields = [
            "id",
            "decision",
            "order",
            "label",
            "role",
            "fallback_role",
            "status",
            "signed_by",
            "signed_as",
            "in_place_of",
            "reason",
            "signed_at",
        ]
        read_only_fields = fields

    def get_signed_by(self, obj) -> str | None:
        return _username(obj.signed_by)


class DecisionSerializer(serializers.ModelSerializer):
    """A decision: in force, or awaiting its sign-offs ("approved subject to sign-off by ...")."""

    outcome = serializers.ChoiceField(choices=DECISION_OUTCOME_CHOICES, read_only=True)
    outcome_phrase = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=Decision.State.choices, read_only=True)
    decided_by = serializers.SerializerMethodField()
    gates_enforced = serializers.BooleanField(
        read_only=True,
        help_text="False for a decision made before decision gates were enforced.",
    )
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "outcome_phrase",
            "state",
            "tier",
            "route_label",
            "reasoning",
            "decided_by",
            "created_at",
            "review_on",
            "gates_enforced",
            "sign_offs",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str:
        return obj.decided_by.get_username()
