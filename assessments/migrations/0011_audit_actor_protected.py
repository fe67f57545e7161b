import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# On PostgreSQL the database itself refuses to change or remove an audit event, whoever asks:
# a row trigger (TRUNCATE, which test flushes use, fires no row trigger). Only the table's
# owner can drop it, so an application role that does not own the tables cannot undo it.
CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION ukcn_audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ukcn_audit_event_append_only
    BEFORE UPDATE OR DELETE ON assessments_auditevent
    FOR EACH ROW EXECUTE FUNCTION ukcn_audit_event_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS ukcn_audit_event_append_only ON assessments_auditevent;
DROP FUNCTION IF EXISTS ukcn_audit_event_append_only();
"""


def create_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_append_only_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0010_decision_gates_and_sign_offs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(create_append_only_trigger, drop_append_only_trigger),
    ]
