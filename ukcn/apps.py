from django.apps import AppConfig


class UkcnConfig(AppConfig):
    name = "ukcn"
    verbose_name = "ukcn: people and departments"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
