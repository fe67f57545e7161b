from django.db import migrations

EDITOR_GROUP = "guidance editor"
# Editors curate every guidance model; they never delete items (archive them instead).
CODENAMES = [
    "add_guidanceitem",
    "change_guidanceitem",
    "view_guidanceitem",
    "publish_guidanceitem",
    "add_topic",
    "change_topic",
    "view_topic",
    "change_syncconflict",
    "view_syncconflict",
    "view_historicalguidanceitem",
]


def grant(apps, schema_editor):
    # Permissions are created after migrate, so a fresh database has none yet: the editor group
    # gets them from guidance.apps' post_migrate handler. Where they exist (a database migrated
    # before that handler), grant them now.
    grant_to_editors(apps, schema_editor)


def grant_to_editors(apps, schema_editor):
    """Give the editor group the permissions; also used to restore them after a test flush."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="guidance", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITOR_GROUP).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="guidance", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("guidance", "0001_guidance_items_topics_history_conflicts"),
        ("ukcn", "0002_create_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
