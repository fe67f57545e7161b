from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Guidance repository"

    def ready(self):
        from .search import search_index_install

        # Infrastructure, not domain logic: keep SQLite's full-text index installed.
        post_migrate.connect(search_index_install, sender=self, dispatch_uid="guidance_fts")
