"""What the review actions take over the API: the web forms' fields, strictly typed."""

from rest_framework import serializers

from ..models import Answer, Attachment, Recommendation, RequestStatus, Tier
from ..workflow import DECISION_OUTCOMES
from .fields import (
    MAX_POSITIVE_INT,
    StrictCharField,
    StrictIntegerField,
    StrictPrimaryKeyRelatedField,
)

REASON_MAX = 5000
# The outcomes of a decision (named DecisionOutcomeEnum in the schema).
DECISION_OUTCOME_CHOICES = [
    (value, label) for value, label in RequestStatus.choices if value in DECISION_OUTCOMES
]


class WithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default="",
        help_text="Why the request is withdrawn (recorded in the audit trail).",
    )  # fmt: skip


class SetTierSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = StrictCharField(
        max_length=REASON_MAX,
        help_text="Why this tier (always needed; it goes on the record).",
    )


class RecommendSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Recommendation.Outcome.choices)
    reasoning = StrictCharField(max_length=REASON_MAX)


class ConditionSerializer(serializers.Serializer):
    text = StrictCharField(max_length=2000)
    due_date = serializers.DateField(help_text="YYYY-MM-DD, today or later.")


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=DECISION_OUTCOME_CHOICES)
    reasoning = StrictCharField(max_length=REASON_MAX)
    conditions = ConditionSerializer(
        many=True, required=False, default=list, max_length=50,
        help_text="Only, and at least one, for approved_with_conditions.",
    )  # fmt: skip
    next_review_date = serializers.DateField(
        required=False, allow_null=True, default=None,
        help_text="When the partnership is next reviewed; REVIEW_PERIOD_DAYS ahead if omitted.",
    )  # fmt: skip


class ReopenSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=REASON_MAX, help_text="Why, e.g. a watchlist change.")


class MatchDecisionSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX, help_text="Why the partner is (or is not) the listed body."
    )


class SignOffRefusalSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX, help_text="Why you refuse to sign off; the decider reads it."
    )


class RequestAttachmentField(StrictPrimaryKeyRelatedField):
    """An attachment of the request in the serializer's context: another request's id is
    answered as not existing."""

    def get_queryset(self):
        request = self.context.get("partnership_request")
        return request.attachments.all() if request is not None else Attachment.objects.none()


class ChecklistAnswerInputSerializer(serializers.Serializer):
    """One item's answer. Fields left out keep their saved value; a blank answer clears it."""

    ref_id = StrictCharField(max_length=20, help_text="The item's reference id, e.g. GP-01.")
    answer = serializers.ChoiceField(
        choices=Answer.choices, allow_blank=True, help_text="Blank clears the answer."
    )
    evidence_notes = StrictCharField(
        max_length=REASON_MAX, required=False, allow_blank=True,
        help_text="What shows the practice is in place (needed where the item asks for it).",
    )  # fmt: skip
    explanation = StrictCharField(
        max_length=REASON_MAX, required=False, allow_blank=True,
        help_text="Why the answer is unsure or the item does not apply (needed then).",
    )  # fmt: skip
    attachment = RequestAttachmentField(
        queryset=Attachment.objects.none(), required=False, allow_null=True,
        help_text="Id of one of the request's attachments as evidence; null removes it.",
    )  # fmt: skip


class ChecklistUpdateSerializer(serializers.Serializer):
    version = StrictIntegerField(
        min_value=0,
        max_value=MAX_POSITIVE_INT,
        help_text="The checklist's `version` you read; a stale one is refused with 409.",
    )
    answers = ChecklistAnswerInputSerializer(many=True, min_length=1, max_length=200)

    def validate_answers(self, answers):
        ref_ids = [answer["ref_id"] for answer in answers]
        repeated = sorted({ref_id for ref_id in ref_ids if ref_ids.count(ref_id) > 1})
        if repeated:
            raise serializers.ValidationError(f"Answer each item once: {', '.join(repeated)}.")
        return answers
