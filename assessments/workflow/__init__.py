"""The review workflow: every status change of a request, who may make it, and its audit event.

Each public function checks the actor's permission and the request's state, makes its
change and writes its audit event in one transaction; an illegal call raises
`ukcn.refusals.Refusal` (forbidden, conflict or invalid) and changes nothing. One module per concept; import from here.
"""

from .attachments import attachment_add, attachment_open
from .conditions import condition_add, condition_mark_met, conditions_mark_overdue
from .requests import (
    organisation_create,
    organisation_get_or_create,
    organisation_update,
    request_create,
    request_decide,
    request_recommend,
    request_reopen,
    request_return_to_review,
    request_set_tier,
    request_sign_off,
    request_sign_off_refuse,
    request_submit,
    request_take_into_review,
    request_update,
    request_withdraw,
    review_period,
)
from .rules import (
    DECISION_OUTCOMES,
    EDITABLE_FIELDS,
    FUNDING_FIELDS,
    HIGH_TIERS,
    ORGANISATION_FIELDS,
    ConditionInput,
    PartnerInput,
    RequestFacts,
    request_actions_for,
)

__all__ = [
    "DECISION_OUTCOMES",
    "EDITABLE_FIELDS",
    "FUNDING_FIELDS",
    "HIGH_TIERS",
    "ORGANISATION_FIELDS",
    "ConditionInput",
    "PartnerInput",
    "RequestFacts",
    "attachment_add",
    "attachment_open",
    "condition_add",
    "condition_mark_met",
    "conditions_mark_overdue",
    "organisation_create",
    "organisation_get_or_create",
    "organisation_update",
    "request_actions_for",
    "request_create",
    "request_decide",
    "request_recommend",
    "request_reopen",
    "request_return_to_review",
    "request_set_tier",
    "request_sign_off",
    "request_sign_off_refuse",
    "request_submit",
    "request_take_into_review",
    "request_update",
    "request_withdraw",
    "review_period",
]
