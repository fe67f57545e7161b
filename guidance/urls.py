from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("", views.guidance_list, name="list"),
    path("feed.json", views.feed_json, name="feed_json"),
    path("feed.atom", views.feed_atom, name="feed_atom"),
    path("review/", views.guidance_review_due, name="review_due"),
    path("lessons/new/", views.lesson_new, name="lesson_new"),
    path("<slug:slug>/", views.guidance_detail, name="detail"),
    path("<slug:slug>/history/", views.guidance_history, name="history"),
    path("<slug:slug>/history/<int:history_id>/", views.guidance_version, name="version"),
]
