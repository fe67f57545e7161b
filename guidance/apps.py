from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GuidanceConfig(AppConfig):
    name = "guidance"
    verbose_name = "Guidance repository"

    def ready(self):
        from .search import search_index_install

        # Infrastructure, not domain logic: keep SQLite's full-text index installed.
        post_migrate.connect(search_index_install, sender=self, dispatch_uid="guidance_fts")
        # Give the editors their permissions once this app's exist.
        post_migrate.connect(editor_permissions_grant, sender=self, dispatch_uid="guidance_editors")


def editor_permissions_grant(sender, apps=None, using="default", **kwargs):
    """Give the guidance editor group its permissions; runs after every migrate (and after a
    test database's flush), idempotent."""
    import importlib

    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # This app is set up before django.contrib.auth, so auth's own handler (which creates the
    # permissions) may not have run for it yet: create them first (idempotent).
    create_permissions(sender, apps=apps or global_apps, verbosity=0, using=using)
    migration = importlib.import_module(
        "guidance.migrations.0002_grant_guidance_editor_permissions"
    )
    migration.grant_to_editors(apps or global_apps, None)
