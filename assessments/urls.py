from django.urls import path

from .views import notifications

app_name = "assessments"

urlpatterns = [
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
]
