"""Inserting many model rows with one statement, whatever the database's parameter limit.

Django's bulk_create splits its INSERT into batches small enough for the database's limit on
parameters per statement (999 on SQLite: about seventy rows of a ten-column table), so a job
writing thousands of rows makes a query per few dozen of them. `insert_many` sends one
statement with every row's values to the driver's executemany: one round of work from
Django's side however many rows (the driver may still pipeline it in several messages).
"""

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model
from django.db.models.constants import OnConflict


def insert_many(
    objects: Sequence[Model], *, ignore_conflicts: bool = False, using: str | None = None
) -> int:
    """Insert unsaved instances of one model, in order, with one executemany; return how many
    were given. With `ignore_conflicts`, a row that breaks a unique constraint is skipped.

    Primary keys are left unset on the instances (read the rows back when you need them). Field
    defaults and `pre_save` (auto_now_add and the like) apply as with `save()`; signals do not.
    """
    if not objects:
        return 0
    model = type(objects[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    sql = "{} {} ({}) VALUES ({}) {}".format(  # names from the model only
        connection.ops.insert_statement(on_conflict=on_conflict),
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
        connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
    ).strip()
    rows = [
        [
            field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
            for field in fields
        ]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
