from django.urls import path

from .views import checklist

app_name = "assessments"

urlpatterns = [
    path(
        "requests/<str:reference>/checklist/",
        checklist.request_checklist,
        name="request_checklist",
    ),
]
