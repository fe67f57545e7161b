from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Partnership assessments"

    def ready(self):
        # Modules that register gates and inputs (assessments.gates) as they are imported.
        from .people import gates, screening  # noqa: F401
