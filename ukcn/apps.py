import logging
from pathlib import Path

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class UkcnConfig(AppConfig):
    name = "ukcn"
    verbose_name = "ukcn: people and departments"

    def ready(self):
        self.working_folders_create()
        from django.contrib.auth.signals import user_logged_in

        from . import checks, signals  # noqa: F401 - registers the checks, connects receivers
        from .middleware import session_clocks_start

        user_logged_in.connect(session_clocks_start, dispatch_uid="ukcn_session_clocks")

    @staticmethod
    def working_folders_create():
        """The folders ukcn writes to (SQLite's, the collected static files'), made on start-up
        rather than when settings are imported; a read-only deployment that provides them, or
        uses PostgreSQL, is left alone."""
        folders = [Path(settings.STATIC_ROOT)]
        database = settings.DATABASES["default"]
        if database["ENGINE"] == "django.db.backends.sqlite3" and database["NAME"] != ":memory:":
            folders.append(Path(database["NAME"]).parent)
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                logger.warning("Could not create %s: %s", folder, exc)
