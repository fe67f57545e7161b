from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", views.OrganisationViewSet, basename="api-organisation")
router.register("watchlists", views.WatchlistViewSet, basename="api-watchlist")
router.register("audit-events", views.AuditEventViewSet, basename="api-audit-event")

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
    path("", include(router.urls)),
]
