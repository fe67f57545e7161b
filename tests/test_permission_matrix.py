"""Who may reach what: every URL (UI, admin, API) x every role x own/other department.

MATRIX has one line per URL name: the method, the statuses in ROLES order, and how to fill
the URL's arguments. A cell is one status for both sides, or "own/other": own is the
requester's department's request (or the user's own notification or token), other is
another department's request (another user's object). For POST lines a trailing "+" means
the call changed something (wrote an audit event or revoked a token); without it, nothing was written.
Admin URLs are listed per registered model in ADMIN_MODELS, plus ADMIN_EXTRA.

A URL the resolver knows but the table does not fails `test_every_url_has_an_entry`, so a
new page or endpoint gets its line here when it is added.

The roles added with role assignments (the head of the requester's department, a senior
officer) have their own table, NEW_ROLES_MATRIX, with one line per MATRIX line: the same
cells, for those two users. `test_every_url_has_an_entry_for_the_new_roles` keeps it complete.
"""

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments import workflow
from assessments.models import (
    AuditEvent,
    Condition,
    Notification,
    Organisation,
    RequestStatus,
    ScreeningMatch,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from assessments.people.services import person_add
from assessments.scoring.assessing import request_assess
from assessments.screening import service
from assessments.screening.service import screen_request
from guidance.models import GuidanceItem, Status
from tests.assessments.request_factories import advance, make_request
from tests.assessments.screening.conftest import make_version
from ukcn.api_tokens import api_token_issue
from ukcn.models import ApiToken
from ukcn.roles import Role

ROLES = ("anon", "requester", "reviewer", "approver", "editor", "auditor", "admin")
# "head": head of department for the requester's department (own side); "senior": senior officer.
NEW_ROLES = ("head", "senior")


# How to fill each URL's arguments, given the world, the side ("own"/"other") and the user.
def no_args(world, side, user):
    return {}


def by_request(world, side, user):
    return {"reference": world.requests[side].reference}


def by_request_awaiting_sign_off(world, side, user):
    return {"reference": world.awaiting_sign_off(side).reference}


def by_attachment(world, side, user):
    return {**by_request(world, side, user), "pk": world.attachments[side].pk}


def by_assessment(world, side, user):
    return {**by_request(world, side, user), "pk": world.assessments[side].pk}


def by_condition(world, side, user):
    return {**by_request(world, side, user), "pk": world.conditions[side].pk}


def by_action(world, side, user):
    return {**by_request(world, side, user), "action": "take_into_review"}


def by_match(world, side, user):
    return {"pk": world.matches[side].pk}


def by_request_match(world, side, user):
    return {**by_request(world, side, user), "match_id": world.matches[side].pk}


def by_organisation(world, side, user):
    # The side's own partner (both sides also share Tsinghua, which the watchlist lists).
    return {
        "pk": world.requests[side].partners.get(organisation__name__endswith=side).organisation_id
    }


def by_notification(world, side, user):
    owner = user if side == "own" and user else world.users["other_requester"]
    return {"pk": world.notification_for(owner).pk}


def by_token(world, side, user):
    owner = user if side == "own" and user else world.users["other_requester"]
    return {"token_id": world.token_for(owner).pk}


def by_year(world, side, user):
    return {"year": 2026}


def by_export_format(world, side, user):
    return {"fmt": "csv"}


def by_guidance(world, side, user):
    return {"slug": world.guidance.slug}


def by_guidance_version(world, side, user):
    return {"slug": world.guidance.slug, "history_id": world.guidance.history.first().history_id}


def by_watchlist(world, side, user):
    return {"watchlist_pk": world.watchlist.pk}


def by_watchlist_version(world, side, user):
    return {"watchlist_pk": world.watchlist.pk, "pk": world.version.pk}


def by_person(world, side, user):
    return {**by_request(world, side, user), "pk": world.people[side].pk}


def by_person_match(world, side, user):
    return {"pk": world.person_matches[side].pk}


def by_pk(attribute):
    def fill(world, side, user):
        return {"pk": getattr(world, attribute).pk}

    return fill


# fmt: off
MATRIX = {
    # name:                                   (method, "anon requester reviewer approver editor auditor admin", args)
    "dashboard":                                ("GET",  "302 200 200 200 200 200 200", no_args),
    "healthz":                                  ("GET",  "200 200 200 200 200 200 200", no_args),
    "login":                                    ("GET",  "200 200 200 200 200 200 200", no_args),
    "logout":                                   ("POST", "302 302 302 302 302 302 302", no_args),
    # Single sign-on is off by default: its pages are not there.
    "sso:oidc_login":                           ("GET",  "404 404 404 404 404 404 404", no_args),
    "sso:oidc_callback":                        ("GET",  "404 404 404 404 404 404 404", no_args),
    "saml:login":                               ("GET",  "404 404 404 404 404 404 404", no_args),
    "saml:acs":                                 ("POST", "404 404 404 404 404 404 404", no_args),
    "saml:ls":                                  ("GET",  "404 404 404 404 404 404 404", no_args),
    "saml:ls_post":                             ("POST", "404 404 404 404 404 404 404", no_args),
    "saml:metadata":                            ("GET",  "404 404 404 404 404 404 404", no_args),
    # Everyone here holds a role (or is a superuser): the no-role page sends them on.
    "sso:no_role":                              ("GET",  "302 302 302 302 302 302 302", no_args),
    "password_change":                          ("GET",  "302 200 200 200 200 200 200", no_args),
    "password_change_done":                     ("GET",  "302 200 200 200 200 200 200", no_args),
    "api_tokens":                               ("GET",  "302 200 200 200 200 200 200", no_args),
    "api_token_revoke":                         ("POST", "302 302+/302 302+/302 302+/302 302+/302 302+/302 302+/302", by_token),
    # Two-factor pages: nobody in the matrix has an app set up, so verifying and new recovery
    # codes send them to set one up (tests/ukcn/test_mfa.py covers those who have).
    "mfa_manage":                               ("GET",  "302 200 200 200 200 200 200", no_args),
    "mfa_enrol":                                ("GET",  "302 200 200 200 200 200 200", no_args),
    "mfa_verify":                               ("GET",  "302 302 302 302 302 302 302", no_args),
    "mfa_recovery_codes":                       ("POST", "302 302 302 302 302 302 302", no_args),
    "assessments:request_list":                 ("GET",  "302 200 200 200 200 200 200", no_args),
    "assessments:request_create":               ("GET",  "302 200 200 404 404 404 200", no_args),
    "assessments:request_form_row":             ("GET",  "302 200 200 404 404 404 200", lambda w, s, u: {"kind": "partners"}),
    "assessments:request_detail":               ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "assessments:request_edit":                 ("GET",  "302 302/404 200 302 404 302 200", by_request),
    "assessments:request_action":               ("POST", "302 302/404 302+ 302 404 302 302+", by_action),
    "assessments:attachment_download":          ("GET",  "302 200/404 200 200 404 200 200", by_attachment),
    "assessments:condition_met":                ("POST", "302 302+/404 302+ 302+ 404 302 302+", by_condition),
    "assessments:organisation_detail":          ("GET",  "302 200/404 200 200 404 200 200", by_organisation),
    "assessments:request_checklist":            ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "assessments:notification_list":            ("GET",  "302 200 200 200 200 200 200", no_args),
    "assessments:notification_open":            ("GET",  "302 302/404 302/404 302/404 302/404 302/404 302/404", by_notification),
    "assessments:notification_mark_read":       ("POST", "302 302 302 302 302 302 302", no_args),
    "assessments:notification_preferences":     ("GET",  "302 200 200 200 200 200 200", no_args),
    "assessments:request_screening":            ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "assessments:request_screen_now":           ("POST", "302 403/404 302+ 403 404 403 302+", by_request),
    "assessments:match_decide":                 ("POST", "302 403/404 302 403 404 403 302", by_match),
    "assessments:screening_check":              ("GET",  "302 200 200 200 200 200 200", no_args),
    "assessments:organisation_resolve":         ("GET",  "302 200 200 200 404 404 200", no_args),
    "assessments:export_page":                  ("GET",  "302 200 200 200 403 200 200", no_args),
    "assessments:requests_export":              ("GET",  "302 200 200 200 403 200 200", by_export_format),
    "assessments:annual_summary_index":         ("GET",  "302 403 302 302 403 302 302", no_args),
    "assessments:annual_summary":               ("GET",  "302 403 200 200 403 200 200", by_year),
    "assessments:annual_summary_pdf":           ("GET",  "302 403 200 200 403 200 200", by_year),
    "guidance:list":                            ("GET",  "302 200 200 200 200 200 200", no_args),
    "guidance:feed_json":                       ("GET",  "401 200 200 200 200 200 200", no_args),
    "guidance:feed_atom":                       ("GET",  "401 200 200 200 200 200 200", no_args),
    "guidance:review_due":                      ("GET",  "302 403 403 403 200 403 200", no_args),
    "guidance:lesson_new":                      ("GET",  "302 403 404 404 403 403 404", no_args),
    "guidance:detail":                          ("GET",  "302 200 200 200 200 200 200", by_guidance),
    "guidance:history":                         ("GET",  "302 404 404 404 200 200 200", by_guidance),
    "guidance:version":                         ("GET",  "302 404 404 404 200 200 200", by_guidance_version),
    "api-schema":                               ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-docs":                                 ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-me":                                   ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-organisation-list":                    ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-organisation-detail":                  ("GET",  "401 200/404 200 200 404 200 200", by_organisation),
    "api-watchlist-list":                       ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-watchlist-detail":                     ("GET",  "401 200 200 200 200 200 200", by_pk("watchlist")),
    "api-watchlist-versions":                   ("GET",  "401 200 200 200 200 200 200", by_watchlist),
    "api-watchlist-version":                    ("GET",  "401 200 200 200 200 200 200", by_watchlist_version),
    "api-audit-event-list":                     ("GET",  "401 403 403 403 403 200 200", no_args),
    "api-request-list":                         ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-request-detail":                       ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-submit":                       ("POST", "401 409/404 409 403 403 403 409", by_request),
    # The matrix posts form data; the review actions take JSON only (415 once the role passes).
    "api-request-withdraw":                     ("POST", "401 415/404 415 403 403 403 415", by_request),
    "api-request-take-into-review":             ("POST", "401 403 200+ 403 403 403 200+", by_request),
    "api-request-set-tier":                     ("POST", "401 403 415 415 403 403 415", by_request),
    "api-request-assess":                       ("POST", "401 403 409 409 403 403 409", by_request),
    "api-request-recommend":                    ("POST", "401 403 415 403 403 403 415", by_request),
    "api-request-decide":                       ("POST", "401 403 415 415 403 403 415", by_request),
    "api-request-reopen":                       ("POST", "401 403 415 415 403 403 415", by_request),
    "api-request-assessments":                  ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-matches":                      ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-screen":                       ("POST", "401 403 200+ 403 403 403 200+", by_request),
    "api-request-match-confirm":                ("POST", "401 403 415 403 403 403 415", by_request_match),
    "api-request-match-dismiss":                ("POST", "401 403 415 403 403 403 415", by_request_match),
    "api-request-checklist":                    ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-gates":                        ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-sign-offs":                    ("GET",  "401 200/404 200 200 404 200 200", by_request),
    # Roles that sign off are the policy's (approver, head of department, senior officer).
    "api-request-sign-off":                     ("POST", "401 403 403 409 403 403 409", by_request),
    "api-request-refuse-sign-off":              ("POST", "401 403 403 415 403 403 415", by_request),
    "api-request-assessment":                   ("GET",  "401 200/404 200 200 404 200 200", by_assessment),
    "api-guidance-list":                        ("GET",  "401 200 200 200 200 200 200", no_args),
    "api-guidance-detail":                      ("GET",  "401 200 200 200 200 200 200", by_guidance),
    "api-screen":                               ("POST", "401 415 415 415 415 415 415", no_args),
    # A low tier decision awaiting its head of department's sign-off: the own department has
    # a head (the "head" user); the other has none, so an approver signs in their place. The
    # reviewer decided it, so may not sign; a superuser holds every role. Refusing without a
    # reason is refused by the form.
    "assessments:request_sign_off":             ("POST", "302 302/404 302 302/302+ 404 302 302+", by_request_awaiting_sign_off),
    "assessments:request_sign_off_refuse":      ("POST", "302 302/404 302 302 404 302 302", by_request_awaiting_sign_off),
    "assessments:request_report":               ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "assessments:request_report_pdf":           ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "api-audit-event-detail":                   ("GET",  "401 403 403 403 403 200 200", by_pk("audit_event")),
    # People (personal data): central office roles and the request's own department's
    # requesters only; never a guidance editor or a head of department. The world's requests
    # are submitted, so only reviewers may still change the people.
    "assessments:request_people":               ("GET",  "302 200/404 200 200 404 200 200", by_request),
    "assessments:people_form_row":              ("GET",  "302 404 200 404 404 404 200", by_request),
    "assessments:request_people_screen":        ("POST", "302 302/404 302+ 302 404 302 302+", by_request),
    "assessments:person_detail":                ("GET",  "302 200/404 200 200 404 200 200", by_person),
    "assessments:person_certificate_add":       ("POST", "302 302/404 302 302 404 302 302", by_person),
    "assessments:person_declaration_add":       ("POST", "302 302/404 302 302 404 302 302", by_person),
    "assessments:person_declarations_request":  ("POST", "302 302/404 302+ 302 404 302 302+", by_person),
    "assessments:person_match_decide":          ("POST", "302 302/404 302 302 404 302 302", by_person_match),
    "api-request-people":                       ("GET",  "401 200/404 200 200 404 200 200", by_request),
    "api-request-person":                       ("GET",  "401 200/404 200 200 404 200 200", by_person),
    "api-request-person-certificates":          ("POST", "401 415/404 415 415 404 415 415", by_person),
    # Legal determinations: the central office and auditors read; reviewers record (JSON only
    # over the API). The matrix's match is not on a sanctions list, so no licence is for it.
    "assessments:request_legal":                ("GET",  "302 403/404 200 200 404 200 200", by_request),
    "assessments:legal_register":               ("GET",  "302 403 200 200 403 200 200", no_args),
    "api-request-legal":                        ("GET",  "401 403/404 200 200 404 200 200", by_request),
    "api-request-legal-export":                 ("POST", "401 403 415 403 403 403 415", by_request),
    "api-request-legal-nsi":                    ("POST", "401 403 415 403 403 403 415", by_request),
    "api-request-legal-firs":                   ("POST", "401 403 415 403 403 403 415", by_request),
    "api-request-legal-sanctions":              ("POST", "401 403 404 403 403 403 404", by_request_match),
}

# The roles that came with role assignments, on every MATRIX line: "head" holds head of
# department for the own side's department (so sees its requests, and no other's); "senior"
# is a central senior officer (sees every department's).
NEW_ROLES_MATRIX = {
    # name:                                   "head senior"
    "dashboard":                                "200 200",
    "healthz":                                  "200 200",
    "login":                                    "200 200",
    "logout":                                   "302 302",
    "sso:oidc_login":                           "404 404",
    "sso:oidc_callback":                        "404 404",
    "saml:login":                               "404 404",
    "saml:acs":                                 "404 404",
    "saml:ls":                                  "404 404",
    "saml:ls_post":                             "404 404",
    "saml:metadata":                            "404 404",
    "sso:no_role":                              "302 302",
    "password_change":                          "200 200",
    "password_change_done":                     "200 200",
    "api_tokens":                               "200 200",
    "api_token_revoke":                         "302+/302 302+/302",
    "mfa_manage":                               "200 200",
    "mfa_enrol":                                "200 200",
    "mfa_verify":                               "302 302",
    "mfa_recovery_codes":                       "302 302",
    "assessments:request_list":                 "200 200",
    "assessments:request_create":               "404 404",
    "assessments:request_form_row":             "404 404",
    "assessments:request_detail":               "200/404 200",
    "assessments:request_edit":                 "302/404 302",
    "assessments:request_action":               "302/404 302",
    "assessments:attachment_download":          "200/404 200",
    "assessments:condition_met":                "302/404 302",
    "assessments:organisation_detail":          "200/404 200",
    "assessments:request_checklist":            "200/404 200",
    "assessments:notification_list":            "200 200",
    "assessments:notification_open":            "302/404 302/404",
    "assessments:notification_mark_read":       "302 302",
    "assessments:notification_preferences":     "200 200",
    "assessments:request_screening":            "200/404 200",
    "assessments:request_screen_now":           "403/404 403",
    "assessments:match_decide":                 "403/404 403",
    "assessments:screening_check":              "200 200",
    "assessments:organisation_resolve":         "404 404",
    "assessments:export_page":                  "200 200",
    "assessments:requests_export":              "200 200",
    "assessments:annual_summary_index":         "403 302",
    "assessments:annual_summary":               "403 200",
    "assessments:annual_summary_pdf":           "403 200",
    "guidance:list":                            "200 200",
    "guidance:feed_json":                       "200 200",
    "guidance:feed_atom":                       "200 200",
    "guidance:review_due":                      "403 403",
    "guidance:lesson_new":                      "403 403",
    "guidance:detail":                          "200 200",
    "guidance:history":                         "404 404",
    "guidance:version":                         "404 404",
    "api-schema":                               "200 200",
    "api-docs":                                 "200 200",
    "api-me":                                   "200 200",
    "api-organisation-list":                    "200 200",
    "api-organisation-detail":                  "200/404 200",
    "api-watchlist-list":                       "200 200",
    "api-watchlist-detail":                     "200 200",
    "api-watchlist-versions":                   "200 200",
    "api-watchlist-version":                    "200 200",
    "api-audit-event-list":                     "403 403",
    "api-request-list":                         "200 200",
    "api-request-detail":                       "200/404 200",
    "api-request-submit":                       "403 403",
    "api-request-withdraw":                     "403 403",
    "api-request-take-into-review":             "403 403",
    "api-request-set-tier":                     "403 403",
    "api-request-assess":                       "403 403",
    "api-request-recommend":                    "403 403",
    "api-request-decide":                       "403 403",
    "api-request-reopen":                       "403 403",
    "api-request-assessments":                  "200/404 200",
    "api-request-assessment":                   "200/404 200",
    "api-request-matches":                      "200/404 200",
    "api-request-screen":                       "403 403",
    "api-request-match-confirm":                "403 403",
    "api-request-match-dismiss":                "403 403",
    "api-request-checklist":                    "200/404 200",
    "api-request-gates":                        "200/404 200",
    "api-request-sign-offs":                    "200/404 200",
    # Both hold a role the policy's sign-offs name: refused by the workflow (nothing awaits).
    "api-request-sign-off":                     "409/404 409",
    "api-request-refuse-sign-off":              "415/404 415",
    "api-guidance-list":                        "200 200",
    "api-guidance-detail":                      "200 200",
    "api-screen":                               "415 415",
    "assessments:request_sign_off":             "302+/404 302",
    "assessments:request_sign_off_refuse":      "302/404 302",
    "assessments:request_report":               "200/404 200",
    "assessments:request_report_pdf":           "200/404 200",
    "api-audit-event-detail":                   "403 403",
    "assessments:request_people":               "404 200",
    "assessments:people_form_row":              "404 404",
    "assessments:request_people_screen":        "404 302",
    "assessments:person_detail":                "404 200",
    "assessments:person_certificate_add":       "404 302",
    "assessments:person_declaration_add":       "404 302",
    "assessments:person_declarations_request":  "404 302",
    "assessments:person_match_decide":          "404 302",
    "api-request-people":                       "404 200",
    "api-request-person":                       "404 200",
    "api-request-person-certificates":          "404 415",
    "assessments:request_legal":                "403/404 200",
    "assessments:legal_register":               "403 200",
    "api-request-legal":                        "403/404 200",
    "api-request-legal-export":                 "403 403",
    "api-request-legal-nsi":                    "403 403",
    "api-request-legal-firs":                   "403 403",
    "api-request-legal-sanctions":              "403 403",

}

# Registered admin models: what the guidance editor (staff, with guidance permissions) gets on
# changelist, add, change, history and delete; the superuser gets the "admin" column. Every
# other role is not staff and is sent to the admin's log-in page (302).
ADMIN_MODELS = {
    # model label:                        ("editor: list add change history delete", "admin: same")
    "assessments.assessment":               ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.ataslistversion":          ("403 403 403 302 403", "200 200 302 302 302"),
    "assessments.person":                   ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.auditevent":               ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.checklistitem":            ("403 403 403 403 403", "200 200 200 200 403"),
    "assessments.checklistversion":         ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.countrycontext":           ("403 403 403 403 403", "200 200 200 200 200"),
    "assessments.firsspecifiedpower":       ("403 403 403 403 403", "200 200 200 200 200"),
    "assessments.legaldetermination":       ("403 403 403 302 403", "200 403 302 302 403"),
    "assessments.nsiareaversion":           ("403 403 403 403 403", "200 200 200 200 200"),
    "assessments.entryriskoverride":        ("403 403 403 302 403", "200 403 302 302 403"),
    "assessments.notification":             ("403 403 403 403 403", "200 403 200 200 200"),
    "assessments.notificationpreference":   ("403 403 403 302 403", "200 403 302 302 302"),
    "assessments.organisation":             ("403 403 403 403 403", "200 200 200 200 403"),
    "assessments.partnershiprequest":       ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.scheduledjobrun":          ("403 403 403 302 403", "200 403 302 302 302"),
    "assessments.scoringpolicy":            ("403 403 403 403 403", "200 200 200 200 403"),
    "assessments.screeningalert":           ("403 403 403 302 403", "200 403 302 302 403"),
    "assessments.screeningdismissal":       ("403 403 403 302 403", "200 403 302 302 403"),
    "assessments.screeningmatch":           ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.screeningsettings":        ("403 403 403 302 403", "200 200 302 302 403"),
    "assessments.watchlist":                ("403 403 403 403 403", "200 200 200 200 200"),
    "assessments.watchlistentry":           ("403 403 403 403 403", "200 403 200 200 403"),
    "assessments.watchlistimport":          ("403 403 403 302 403", "200 403 302 302 403"),
    "assessments.watchlistversion":         ("403 403 403 403 403", "200 403 200 200 403"),
    "auth.group":                           ("403 403 403 403 403", "200 200 200 200 200"),
    "auth.user":                            ("403 403 403 403 403", "200 200 200 200 200"),
    "axes.accessattempt":                   ("403 403 403 302 403", "200 403 302 302 302"),
    "axes.accessfailurelog":                ("403 403 403 302 403", "200 403 302 302 302"),
    "axes.accesslog":                       ("403 403 403 302 403", "200 403 302 302 302"),
    "django_tasks_database.dbtaskresult":   ("403 403 403 302 403", "200 403 302 302 403"),
    "guidance.guidanceitem":                ("200 200 200 200 403", "200 200 200 200 200"),
    "guidance.syncconflict":                ("200 403 302 302 403", "200 403 302 302 302"),
    "guidance.topic":                       ("200 200 302 302 403", "200 200 302 302 302"),
    "ukcn.department":                      ("403 403 403 403 403", "200 200 200 200 200"),
    "ukcn.roleassignment":                  ("403 403 403 403 403", "200 200 200 200 200"),
    "sso.providermapping":                  ("403 403 403 302 403", "200 200 302 302 302"),
}
ADMIN_EXTRA = {
    # name:                                   (method, "anon requester reviewer approver editor auditor admin", args)
    "admin:index":                              ("GET",  "302 302 302 302 200 302 200", no_args),
    "admin:login":                              ("GET",  "200 200 200 200 302 200 302", no_args),
    "admin:logout":                             ("POST", "302 302 302 302 302 302 302", no_args),
    "admin:password_change":                    ("GET",  "302 302 302 302 200 302 200", no_args),
    "admin:password_change_done":               ("GET",  "302 302 302 302 200 302 200", no_args),
    "admin:jsi18n":                             ("GET",  "302 302 302 302 200 302 200", no_args),
    "admin:autocomplete":                       ("GET",  "302 302 302 302 403 302 403", no_args),
    "admin:app_list":                           ("GET",  "302 302 302 302 200 302 200", lambda w, s, u: {"app_label": "guidance"}),
    "admin:view_on_site":                       ("GET",  "302 302 302 302 302 302 302", lambda w, s, u: {"content_type_id": w.request_type_id, "object_id": w.requests["own"].pk}),
    "admin:assessments_watchlist_import":       ("GET",  "302 302 302 302 403 302 200", lambda w, s, u: {"pk": w.watchlist.pk}),
    "admin:assessments_ataslistversion_import": ("GET", "302 302 302 302 403 302 200", no_args),
    "admin:assessments_watchlist_diff":         ("GET",  "302 302 302 302 403 302 200", lambda w, s, u: {"pk": w.watchlist.pk}),
    "admin:assessments_watchlistentry_risk":    ("GET",  "302 302 302 302 403 302 200", lambda w, s, u: {"pk": w.version.entries.get(external_id="W1").pk}),
    "admin:auth_user_password_change":          ("GET",  "302 302 302 302 403 302 200", lambda w, s, u: {"id": w.users["requester"].pk}),
    "admin:guidance_guidanceitem_simple_history": ("GET", "302 302 302 302 200 302 200", lambda w, s, u: [w.guidance.pk, w.guidance.history.first().history_id]),
    "admin:guidance_guidanceitem_lifecycle":    ("POST", "302 302 302 302 302+ 302 302+", lambda w, s, u: {"pk": w.guidance.pk, "step": "mark-reviewed"}),
    "admin:guidance_guidanceitem_preview":      ("POST", "302 302 302 302 200 302 200", no_args),
    # The world holds no checklist item or scoring policy: the admin answers a missing object.
    "admin:assessments_checklistitem_simple_history": ("GET", "302 302 302 302 404 302 404", lambda w, s, u: [0, 0]),
    "admin:assessments_scoringpolicy_simple_history": ("GET", "302 302 302 302 404 302 404", lambda w, s, u: [0, 0]),
    "admin:assessments_countrycontext_simple_history": ("GET", "302 302 302 302 404 302 404", lambda w, s, u: [0, 0]),
}
# fmt: on

ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete")


def iter_named_patterns(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from iter_named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def admin_model_url_names():
    names = {}
    for model in admin.site._registry:
        for view in ADMIN_VIEWS:
            names[f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"] = model
    return names


def test_every_url_has_an_entry():
    model_urls = admin_model_url_names()
    missing = sorted(
        name
        for name in set(iter_named_patterns(get_resolver()))
        if name not in MATRIX and name not in ADMIN_EXTRA and name not in model_urls
    )
    assert not missing, f"add these URLs to the permission matrix: {missing}"


def test_every_url_has_an_entry_for_the_new_roles():
    assert set(NEW_ROLES_MATRIX) == set(MATRIX), (
        f"missing: {sorted(set(MATRIX) - set(NEW_ROLES_MATRIX))}; "
        f"stale: {sorted(set(NEW_ROLES_MATRIX) - set(MATRIX))}"
    )


def test_every_admin_model_has_an_entry():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), (
        f"missing: {sorted(registered - set(ADMIN_MODELS))}; "
        f"stale: {sorted(set(ADMIN_MODELS) - registered)}"
    )


@dataclass
class World:
    users: dict
    requests: dict
    attachments: dict
    conditions: dict
    matches: dict
    assessments: dict
    watchlist: Watchlist
    version: WatchlistVersion
    guidance: GuidanceItem
    audit_event: AuditEvent
    request_type_id: int
    people: dict = field(default_factory=dict)
    person_matches: dict = field(default_factory=dict)
    awaiting: dict = field(default_factory=dict)

    def awaiting_sign_off(self, side):
        """A low tier request decided by the reviewer, awaiting its head's sign-off (built on
        first use: only the sign-off lines need it)."""
        if side not in self.awaiting:
            owner = self.users["requester" if side == "own" else "other_requester"]
            pr = advance(
                make_request(owner, title=f"Matrix awaiting sign-off {side}"),
                to=RequestStatus.RECOMMENDED,
                requester=owner,
                reviewer=self.users["reviewer"],
            )
            workflow.request_decide(
                actor=self.users["reviewer"], request=pr, outcome="approved", reasoning="Fine."
            )
            assert pr.status == RequestStatus.AWAITING_SIGN_OFF
            self.awaiting[side] = pr
        return self.awaiting[side]

    def notification_for(self, user):
        return Notification.objects.create(
            recipient=user,
            recipient_email=user.email,
            kind="request_submitted",
            event_key=f"matrix-{user.pk}-{Notification.objects.count()}",
            title="A request is waiting",
            body="",
            link=self.requests["own"].get_absolute_url(),
            created_at=timezone.now(),
            email_status="sent",
        )

    def token_for(self, user):
        token, _secret = api_token_issue(user=user, name="matrix")
        return token


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def build_world(users) -> World:
    service._cache.update(version_ids=None, index=None)
    watchlist = Watchlist.objects.create(name="Internal list", format="internal")
    version = make_version(
        watchlist,
        [{"id": "W1", "name": "Tsinghua University", "country": "CN", "risk_level": "high"}],
        1,
    )
    call_command("load_checklist", verbosity=0)  # the checklist and scoring policy
    requests, attachments, conditions, matches, assessments = {}, {}, {}, {}, {}
    people, person_matches = {}, {}
    WatchlistEntry.objects.create(  # a listed individual, matched by the people below
        version=version,
        external_id="P1",
        name="Ivan Sidorov",
        risk_level="listed",
        fingerprint="p1",
        kind="person",
    )
    for side, owner in (("own", users["requester"]), ("other", users["other_requester"])):
        tsinghua, _ = Organisation.objects.get_or_create(
            name="Tsinghua University", defaults={"country": "CN"}
        )
        only_here = Organisation.objects.create(name=f"Partner of {side}", country="CN")
        pr = make_request(
            owner,
            title=f"Matrix {side}",
            partners=[
                workflow.PartnerInput(organisation=tsinghua, role="Co-lead"),
                workflow.PartnerInput(organisation=only_here, role="Partner"),
            ],
        )
        people[side] = person_add(
            request=pr,
            actor=owner,
            row={"name": f"Ivan Sidorov {side}", "category": "visiting_researcher"},
        )
        attachments[side] = workflow.attachment_add(
            actor=owner,
            request=pr,
            uploaded_file=SimpleUploadedFile("plan.pdf", PDF, "application/pdf"),
        )
        advance(pr, to=RequestStatus.SUBMITTED, requester=owner, reviewer=users["reviewer"])
        screen_request(request=pr, actor=users["reviewer"])
        conditions[side] = Condition.objects.create(
            request=pr,
            text="Share the data plan",
            owner=owner,
            due_date=datetime.date(2027, 1, 1),
        )
        matches[side] = ScreeningMatch.objects.filter(partner__request=pr).first()
        person_matches[side] = ScreeningMatch.objects.get(request=pr, person=people[side])
        assessments[side] = request_assess(request=pr, actor=users["reviewer"])
        requests[side] = pr
    guidance = GuidanceItem.objects.create(
        ref_id="G-MATRIX",
        source_institution="Test University",
        title="Visiting researchers",
        slug="visiting-researchers",
        summary="What to check.",
        body="Check the equipment.",
        status=Status.PUBLISHED,
    )
    return World(
        users=users,
        requests=requests,
        attachments=attachments,
        conditions=conditions,
        matches=matches,
        assessments=assessments,
        watchlist=watchlist,
        version=version,
        guidance=guidance,
        audit_event=AuditEvent.objects.first(),
        request_type_id=ContentType.objects.get_for_model(type(requests["own"])).pk,
        people=people,
        person_matches=person_matches,
    )


@pytest.fixture
def world(
    requester,
    other_requester,
    reviewer,
    approver,
    guidance_editor,
    auditor,
    admin_user,
    make_user,
    engineering,
):
    guidance_editor.is_staff = True  # editors curate guidance in the admin (as seed_demo does)
    guidance_editor.save()
    users = {
        "head": make_user("head", Role.HEAD_OF_DEPARTMENT, engineering),
        "senior": make_user("senior", Role.SENIOR_OFFICER),
        "anon": None,
        "requester": requester,
        "other_requester": other_requester,
        "reviewer": reviewer,
        "approver": approver,
        "editor": guidance_editor,
        "auditor": auditor,
        "admin": admin_user,
    }
    world = build_world(users)
    yield world
    service._cache.update(version_ids=None, index=None)


class FormFinder(HTMLParser):
    """Collect each POST form and whether it carries Django's CSRF token."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._open = {
                "action": attributes.get("action", ""),
                "post": (attributes.get("method") or "get").lower() == "post",
                "token": False,
            }
            self.forms.append(self._open)
        elif tag == "input" and self._open and attributes.get("name") == "csrfmiddlewaretoken":
            self._open["token"] = bool(attributes.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def post_forms_without_token(html: str) -> list[str]:
    finder = FormFinder()
    finder.feed(html)
    return [
        form["action"] or "(this page)"
        for form in finder.forms
        if form["post"] and not form["token"]
    ]


def expected_cells(spec: str, roles=ROLES) -> dict:
    cells = spec.split()
    assert len(cells) == len(roles), spec
    expected = {}
    for role, cell in zip(roles, cells, strict=True):
        own, _, other = cell.partition("/")
        expected[role] = {"own": own, "other": other or own}
    return expected


def changes() -> tuple[int, int]:
    """What a POST may change: audit events written, API tokens revoked (not audited)."""
    return AuditEvent.objects.count(), ApiToken.objects.filter(revoked_at__isnull=False).count()


def call(world, path, method, role):
    """Make one call as the role, inside a savepoint rolled back afterwards; return its outcome."""
    user = world.users[role]
    client = Client()
    if user:
        client.force_login(user)
    with transaction.atomic():
        before = changes()
        response = client.post(path) if method == "POST" else client.get(path)
        outcome = str(response.status_code)
        if method == "POST" and changes() != before:
            outcome += "+"
        transaction.set_rollback(True)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        content = b"".join(response) if response.streaming else response.content
        unguarded = post_forms_without_token(content.decode())
        assert not unguarded, f"{path} as {role}: POST forms without a CSRF token: {unguarded}"
    return outcome


def check_line(world, name, method, spec, fill, roles=ROLES):
    failures = []
    for role, sides in expected_cells(spec, roles).items():
        for side, want in sides.items():
            arguments = fill(world, side, world.users[role])
            if isinstance(arguments, list):
                path = reverse(name, args=arguments)
            else:
                path = reverse(name, kwargs=arguments)
            got = call(world, path, method, role)
            if got != want:
                failures.append(f"{role} {side} {method} {path}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_status(world, name):
    method, spec, fill = MATRIX[name]
    check_line(world, name, method, spec, fill)


@pytest.mark.parametrize("name", sorted(NEW_ROLES_MATRIX))
def test_the_new_roles_get_the_expected_status(world, name):
    method, _spec, fill = MATRIX[name]
    check_line(world, name, method, NEW_ROLES_MATRIX[name], fill, roles=NEW_ROLES)


@pytest.mark.parametrize("name", sorted(ADMIN_EXTRA))
def test_each_role_gets_the_expected_status_in_the_admin(world, name):
    method, spec, fill = ADMIN_EXTRA[name]
    check_line(world, name, method, spec, fill)


@pytest.mark.parametrize("label", sorted(ADMIN_MODELS))
def test_each_role_gets_the_expected_status_on_admin_model_pages(world, label):
    model = apps.get_model(label)
    editor_spec, admin_spec = ADMIN_MODELS[label]
    # A model the world has no row of is opened at a missing id: the admin then redirects.
    instance = model._default_manager.order_by("pk").first()
    object_id = instance.pk if instance else 0
    failures = []
    for view, editor_want, admin_want in zip(
        ADMIN_VIEWS, editor_spec.split(), admin_spec.split(), strict=True
    ):
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"
        path = reverse(name, args=[] if view in ("changelist", "add") else [object_id])
        for role in ROLES + NEW_ROLES:
            want = {"editor": editor_want, "admin": admin_want}.get(role, "302")
            got = call(world, path, "GET", role)
            if got != want:
                failures.append(f"{role} GET {path}: expected {want}, got {got}")
    assert not failures, "\n".join(failures)
