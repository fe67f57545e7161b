from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Partnership assessments"

    def ready(self):
        # Modules that register gates and inputs (assessments.gates) as they are imported: the
        # legal determinations' gates, and the people's gates and screening subjects.
        from .legal import gates as legal_gates  # noqa: F401
        from .people import gates as people_gates  # noqa: F401
        from .people import screening as people_screening  # noqa: F401
