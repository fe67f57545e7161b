from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Partnership assessments"

    def ready(self):
        # The legal determinations add their gates to the workflow's gate list.
        from .legal import gates  # noqa: F401
