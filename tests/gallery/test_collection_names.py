"""Collection names: one per spelling whatever the case, held by the database itself (two
requests can pass the form's check at once), and never made only of invisible characters."""

import pytest
from django.contrib.messages import get_messages
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import pre_save
from django.urls import reverse

from depicta_web.gallery.models import Collection

pytestmark = pytest.mark.django_db

COLLECTIONS = reverse("gallery:collections")


@pytest.fixture
def rival_request_wins_the_race():
    """Another designer's request saves the same name, in capitals, just after our form's
    check and just before our own insert: the race two concurrent requests run."""

    def save_the_rival(sender, instance, **kwargs):
        rival = Collection(name=instance.name.upper(), created_by=instance.created_by)
        Collection.objects.bulk_create([rival])  # bulk_create sends no pre_save: no loop

    pre_save.connect(save_the_rival, sender=Collection)
    yield
    pre_save.disconnect(save_the_rival, sender=Collection)


def test_the_database_refuses_a_name_that_differs_only_in_case(alice):
    Collection.objects.create(name="race0", created_by=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Collection.objects.create(name="RACE0", created_by=alice)
    assert list(Collection.objects.values_list("name", flat=True)) == ["race0"]


def test_a_new_collection_losing_the_race_gets_the_forms_message(
    alice_client, rival_request_wins_the_race
):
    response = alice_client.post(COLLECTIONS, {"name": "race0"})
    assert response.status_code == 422
    assert "A collection called “race0” already exists." in response.content.decode()
    assert not Collection.objects.filter(name="race0").exists()


def test_a_rename_losing_the_race_gets_the_forms_message(alice_client, alice):
    shelf = Collection.objects.create(name="Spring", created_by=alice)

    def save_the_rival(sender, instance, **kwargs):
        Collection.objects.bulk_create([Collection(name="AUTUMN", created_by=alice)])

    pre_save.connect(save_the_rival, sender=Collection)
    try:
        response = alice_client.post(
            reverse("gallery:collection_rename", args=[shelf.pk]), {"name": "autumn"}
        )
    finally:
        pre_save.disconnect(save_the_rival, sender=Collection)
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["A collection called “autumn” already exists."]
    shelf.refresh_from_db()
    assert shelf.name == "Spring"


@pytest.mark.parametrize(
    "name", ["\u200b", "\u200b \u200c\u200d", "\ufeff\u2060", "\u3164", "\u00a0\u2800"]
)
def test_a_name_of_invisible_characters_is_refused(alice_client, name):
    response = alice_client.post(COLLECTIONS, {"name": name})
    assert response.status_code == 422
    assert "not only spaces or invisible characters" in response.content.decode()
    assert not Collection.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_names_that_already_differ_only_in_case(alice):
    before = [("gallery", "0002_prompt_search")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # where every test expects the schema
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("gallery", "Collection")
    for name in ("race0", "RACE0", "Race0", "race0 (2)"):
        old.objects.create(name=name, created_by_id=alice.pk)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert sorted(Collection.objects.values_list("name", flat=True)) == [
        "RACE0 (3)",
        "Race0 (4)",
        "race0",
        "race0 (2)",
    ]
