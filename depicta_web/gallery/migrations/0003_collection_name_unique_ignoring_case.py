"""Collection names unique whatever their case, in the database (SQLite and PostgreSQL).

Names that already differ only in case (two requests racing past the form's check) are told
apart first by a number, "race0 (2)", so the unique index can be built.
"""

import django.db.models.functions.text
from django.db import migrations, models


def number_case_duplicates(apps, schema_editor):
    Collection = apps.get_model("gallery", "Collection")
    collections = list(Collection.objects.order_by("created_at", "pk"))
    taken = {collection.name.lower() for collection in collections}
    seen = set()  # the oldest of each spelling keeps its name
    for collection in collections:
        if collection.name.lower() in seen:
            collection.name = _free_name(collection.name, taken)
            collection.save(update_fields=["name"])
            taken.add(collection.name.lower())
        seen.add(collection.name.lower())


def _free_name(name, taken):
    number = 2
    while f"{name[:110]} ({number})".lower() in taken:
        number += 1
    return f"{name[:110]} ({number})"  # names hold 120 characters


class Migration(migrations.Migration):

    dependencies = [
        ("gallery", "0002_prompt_search"),
    ]

    operations = [
        migrations.RunPython(number_case_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="collection",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="collection_name_unique_ignoring_case",
            ),
        ),
    ]
