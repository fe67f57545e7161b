from django.urls import path

from .views import screening

app_name = "assessments"

urlpatterns = [
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
]
