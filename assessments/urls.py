from django.urls import path

from .views import reports

app_name = "assessments"

urlpatterns = [
    path("exports/", reports.export_page, name="export_page"),
    path("exports/requests.<str:fmt>", reports.requests_export, name="requests_export"),
    path("reports/annual/", reports.annual_summary_index, name="annual_summary_index"),
    path("reports/annual/<int:year>/", reports.annual_summary_page, name="annual_summary"),
    path("reports/annual/<int:year>.pdf", reports.annual_summary_pdf, name="annual_summary_pdf"),
]
