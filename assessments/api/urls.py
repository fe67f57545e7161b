from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from guidance import api as guidance

from ..legal import api as legal_api
from ..people import api as people_api
from . import requests, screening, views
from .request_serializers import REFERENCE_PATTERN

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register("watchlists", views.WatchlistViewSet, basename="api-watchlist")
router.register("audit-events", views.AuditEventViewSet, basename="api-audit-event")
router.register("requests", requests.RequestViewSet, basename="api-request")
router.register("guidance", guidance.GuidanceViewSet, basename="api-guidance")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's script as a file, so the page needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("me/", views.me, name="api-me"),
    path(
        "watchlists/<int:watchlist_pk>/versions/",
        views.WatchlistVersionViewSet.as_view({"get": "list"}),
        name="api-watchlist-versions",
    ),
    path(
        "watchlists/<int:watchlist_pk>/versions/<int:pk>/",
        views.WatchlistVersionViewSet.as_view({"get": "retrieve"}),
        name="api-watchlist-version",
    ),
    path("screen", screening.screen, name="api-screen"),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/assessments/$",
        requests.AssessmentViewSet.as_view({"get": "list"}),
        name="api-request-assessments",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/assessments/(?P<pk>[0-9]+)/$",
        requests.AssessmentViewSet.as_view({"get": "retrieve"}),
        name="api-request-assessment",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/people/$",
        people_api.PeopleView.as_view(),
        name="api-request-people",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/people/(?P<pk>[0-9]+)/$",
        people_api.PersonView.as_view(),
        name="api-request-person",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/people/(?P<pk>[0-9]+)/certificates/$",
        people_api.CertificateView.as_view(),
        name="api-request-person-certificates",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/legal/$",
        legal_api.LegalView.as_view(),
        name="api-request-legal",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/legal/export-control/$",
        legal_api.ExportRecordView.as_view(),
        name="api-request-legal-export",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/legal/nsi/$",
        legal_api.NsiRecordView.as_view(),
        name="api-request-legal-nsi",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/legal/firs/$",
        legal_api.FirsRecordView.as_view(),
        name="api-request-legal-firs",
    ),
    re_path(
        rf"^requests/(?P<reference>{REFERENCE_PATTERN})/legal/sanctions/(?P<match_id>[0-9]+)/$",
        legal_api.SanctionsLicenceView.as_view(),
        name="api-request-legal-sanctions",
    ),
    path("", include(router.urls)),
]
