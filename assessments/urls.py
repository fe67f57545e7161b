from django.urls import path

from .legal import views as legal
from .people import views as people
from .views import (
    audit_report,
    checklist,
    notifications,
    organisations,
    reports,
    requests,
    screening,
)

app_name = "assessments"

urlpatterns = [
    path("requests/", requests.request_list, name="request_list"),
    path("requests/new/", requests.request_create, name="request_create"),
    path("requests/form-rows/<slug:kind>/", requests.request_form_row, name="request_form_row"),
    path("requests/<str:reference>/", requests.request_detail, name="request_detail"),
    path("requests/<str:reference>/edit/", requests.request_edit, name="request_edit"),
    path(
        "requests/<str:reference>/actions/<slug:action>/",
        requests.request_action,
        name="request_action",
    ),
    path(
        "requests/<str:reference>/sign-off/",
        requests.request_sign_off,
        name="request_sign_off",
    ),
    path(
        "requests/<str:reference>/sign-off/refuse/",
        requests.request_sign_off_refuse,
        name="request_sign_off_refuse",
    ),
    path(
        "requests/<str:reference>/attachments/<int:pk>/",
        requests.attachment_download,
        name="attachment_download",
    ),
    path(
        "requests/<str:reference>/conditions/<int:pk>/met/",
        requests.condition_met,
        name="condition_met",
    ),
    path("requests/<str:reference>/report/", audit_report.request_report, name="request_report"),
    path(
        "requests/<str:reference>/report.pdf",
        audit_report.request_report_pdf,
        name="request_report_pdf",
    ),
    path("organisations/<int:pk>/", requests.organisation_detail, name="organisation_detail"),
    path(
        "organisations/resolve/",
        organisations.organisation_resolve,
        name="organisation_resolve",
    ),
    path(
        "requests/<str:reference>/checklist/",
        checklist.request_checklist,
        name="request_checklist",
    ),
    path("requests/<str:reference>/legal/", legal.request_legal, name="request_legal"),
    path("legal/register/", legal.legal_register, name="legal_register"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read/", notifications.notification_mark_read, name="notification_mark_read"
    ),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "requests/<str:reference>/screening/",
        screening.request_screening,
        name="request_screening",
    ),
    path(
        "requests/<str:reference>/screening/run/",
        screening.request_screen_now,
        name="request_screen_now",
    ),
    path("screening/matches/<int:pk>/decide/", screening.match_decide, name="match_decide"),
    path("screening/check", screening.screening_check, name="screening_check"),
    path("requests/<str:reference>/people/", people.request_people, name="request_people"),
    path(
        "requests/<str:reference>/people/form-row/",
        people.people_form_row,
        name="people_form_row",
    ),
    path(
        "requests/<str:reference>/people/screen/",
        people.request_people_screen,
        name="request_people_screen",
    ),
    path("requests/<str:reference>/people/<int:pk>/", people.person_detail, name="person_detail"),
    path(
        "requests/<str:reference>/people/<int:pk>/certificates/",
        people.person_certificate_add,
        name="person_certificate_add",
    ),
    path(
        "requests/<str:reference>/people/<int:pk>/declarations/",
        people.person_declaration_add,
        name="person_declaration_add",
    ),
    path(
        "requests/<str:reference>/people/<int:pk>/declarations/request/",
        people.person_declarations_request,
        name="person_declarations_request",
    ),
    path(
        "people/matches/<int:pk>/decide/",
        people.person_match_decide_view,
        name="person_match_decide",
    ),
    path("exports/", reports.export_page, name="export_page"),
    path("exports/requests.<str:fmt>", reports.requests_export, name="requests_export"),
    path("reports/annual/", reports.annual_summary_index, name="annual_summary_index"),
    path("reports/annual/<int:year>/", reports.annual_summary_page, name="annual_summary"),
    path("reports/annual/<int:year>.pdf", reports.annual_summary_pdf, name="annual_summary_pdf"),
]
