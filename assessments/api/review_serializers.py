"""What the review actions take over the API: the web forms' fields, strictly typed."""

from rest_framework import serializers

from ..models import Recommendation, RequestStatus, Tier
from ..workflow import DECISION_OUTCOMES
from .fields import StrictCharField

REASON_MAX = 5000


class WithdrawSerializer(serializers.Serializer):
    reason = StrictCharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default="",
        help_text="Why the request is withdrawn (recorded in the audit trail).",
    )  # fmt: skip


class SetTierSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = StrictCharField(
        max_length=REASON_MAX, required=False, allow_blank=True, default="",
        help_text="Why this tier; needed to go below the scoring policy's floor.",
    )  # fmt: skip


class RecommendSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Recommendation.Outcome.choices)
    reasoning = StrictCharField(max_length=REASON_MAX)


class ConditionSerializer(serializers.Serializer):
    text = StrictCharField(max_length=2000)
    due_date = serializers.DateField(help_text="YYYY-MM-DD, today or later.")


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[
            (value, label) for value, label in RequestStatus.choices if value in DECISION_OUTCOMES
        ]
    )
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
