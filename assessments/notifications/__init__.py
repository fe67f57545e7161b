"""Notifications: one function per event, delivered in-app and by e-mail as each user prefers."""

from .delivery import (
    notification_digests_send,
    notification_emails_send,
    notifications_mark_read,
)
from .events import (
    notify_condition_due_soon,
    notify_condition_overdue,
    notify_conditions_due_soon,
    notify_conditions_overdue,
    notify_guidance_review_due,
    notify_request_decided,
    notify_request_recommended,
    notify_request_submitted,
    notify_request_taken_into_review,
    notify_rescreening_alert,
    notify_review_date_reached,
    notify_sign_off_needed,
    notify_sign_off_refused,
)

__all__ = [
    "notification_digests_send",
    "notification_emails_send",
    "notifications_mark_read",
    "notify_condition_due_soon",
    "notify_condition_overdue",
    "notify_conditions_due_soon",
    "notify_conditions_overdue",
    "notify_guidance_review_due",
    "notify_request_decided",
    "notify_request_recommended",
    "notify_request_submitted",
    "notify_request_taken_into_review",
    "notify_rescreening_alert",
    "notify_review_date_reached",
    "notify_sign_off_needed",
    "notify_sign_off_refused",
]
