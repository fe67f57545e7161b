from django.apps import AppConfig


class UkcnConfig(AppConfig):
    name = "ukcn"
    verbose_name = "ukcn: people and departments"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks, signals  # noqa: F401 - registers the checks, connects receivers
        from .middleware import session_clocks_start

        user_logged_in.connect(session_clocks_start, dispatch_uid="ukcn_session_clocks")
