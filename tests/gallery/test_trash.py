"""Soft delete by the author or an admin, restore, and purge after the retention period."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from depicta_web.gallery.trash import trash_purge
from depicta_web.generations.models import Generation, ImageFile
from depicta_web.spend import ledger
from depicta_web.spend.ledger import Period

pytestmark = pytest.mark.django_db

BULK = reverse("gallery:bulk")


def test_author_moves_an_image_to_the_trash_and_restores_it(alice_client, alice, make_row):
    row = make_row(alice, "Harbour at dawn")
    response = alice_client.post(reverse("gallery:delete", args=[row.pk]))
    assert response["Location"] == reverse("gallery:trash")
    row.refresh_from_db()
    assert row.deleted_at is not None
    assert row.deleted_by == alice
    assert "Harbour at dawn" not in alice_client.get(reverse("gallery:index")).content.decode()
    assert "Harbour at dawn" in alice_client.get(reverse("gallery:trash")).content.decode()
    detail = alice_client.get(row.get_absolute_url()).content.decode()
    assert "In the trash since" in detail
    alice_client.post(reverse("gallery:restore", args=[row.pk]))
    row.refresh_from_db()
    assert row.deleted_at is None
    assert "Harbour at dawn" in alice_client.get(reverse("gallery:index")).content.decode()


def test_other_designer_cannot_delete_my_image(client, alice, bob, make_row):
    row = make_row(alice)
    client.force_login(bob)
    response = client.post(reverse("gallery:delete", args=[row.pk]))
    assert response.status_code == 403
    assert "only an image&#x27;s author or an admin may delete it" in response.content.decode()
    row.refresh_from_db()
    assert row.deleted_at is None


def test_bulk_delete_with_someone_elses_image_deletes_nothing(client, alice, bob, make_row):
    own, others = make_row(bob), make_row(alice)
    client.force_login(bob)
    client.post(BULK, {"action": "delete", "ids": [own.pk, others.pk]})
    assert Generation.objects.exclude(deleted_at=None).count() == 0


def test_admin_may_delete_anyones_image(client, alice, carol_admin, make_row):
    row = make_row(alice)
    client.force_login(carol_admin)
    client.post(BULK, {"action": "delete", "ids": [row.pk]})
    row.refresh_from_db()
    assert row.deleted_by == carol_admin


def test_other_designer_cannot_restore_my_image(client, alice, bob, make_row):
    row = make_row(alice)
    row.trash(by=alice)
    client.force_login(bob)
    assert "Restore</button>" not in client.get(reverse("gallery:trash")).content.decode()
    client.post(reverse("gallery:restore", args=[row.pk]))
    row.refresh_from_db()
    assert row.in_trash


def test_purge_deletes_only_what_outlived_the_retention_period(alice, make_row, settings):
    settings.GALLERY_TRASH_DAYS = 30
    old, recent, kept = make_row(alice), make_row(alice), make_row(alice)
    for row in (old, recent):
        row.trash(by=alice)
    Generation.objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    name = "originals/ab/" + "ab" * 32 + ".png"
    default_storage.save(name, ContentFile(b"png bytes"))
    ImageFile.objects.create(
        image=old.images.get(), format="png", state="stored", storage_name=name
    )
    assert trash_purge() == 1
    assert not default_storage.exists(name)
    # The picture and the prompt are gone for good; the charge stays for the ledger.
    old.refresh_from_db()
    assert (old.prompt, old.images.count(), old.cost_eur) == ("", 0, Decimal("0.040000"))
    assert recent.images.exists()
    assert kept.images.exists()
    assert trash_purge() == 0  # already purged


def test_a_purged_charge_leaves_the_trash_but_not_the_spend_figures(alice, make_row, admin_client):
    gone = make_row(alice, "A harbour nobody wanted", responded_at=timezone.now())
    gone.trash(by=alice)
    trash_purge(older_than=timedelta(0))
    assert "A harbour nobody wanted" not in admin_client.get(reverse("gallery:trash")).text
    assert ledger.spend_total(Period.last_days(1)) == Decimal("0.040000")


def test_an_uncharged_generation_is_purged_entirely(alice, make_row):
    failed = make_row(alice, status=Generation.Status.FAILED, cost_eur=None)
    failed.trash(by=alice)
    assert trash_purge(older_than=timedelta(0)) == 1
    assert not Generation.objects.filter(pk=failed.pk).exists()


def test_purge_keeps_files_another_generation_still_uses(alice, make_row):
    gone, stays = make_row(alice), make_row(alice)
    name = "originals/cd/" + "cd" * 32 + ".png"
    default_storage.save(name, ContentFile(b"same bytes"))
    for row in (gone, stays):
        ImageFile.objects.create(
            image=row.images.get(), format="png", state="stored", storage_name=name
        )
    gone.trash(by=alice)
    Generation.objects.filter(pk=gone.pk).update(deleted_at=timezone.now() - timedelta(days=99))
    call_command("gallery_purge")
    assert default_storage.exists(name)
    assert not gone.images.exists()


def test_purging_a_parent_keeps_its_remixes(alice, make_row):
    parent = make_row(alice)
    remix = make_row(alice, parent=parent)
    parent.trash(by=alice)
    trash_purge(older_than=timedelta(0))
    remix.refresh_from_db()
    assert remix.parent is None


def test_the_studio_feed_leaves_out_the_trash(alice_client, alice, make_row):
    kept, gone = make_row(alice, "Kept harbour"), make_row(alice, "Binned harbour")
    gone.trash(by=alice)
    body = alice_client.get(reverse("studio:index")).content.decode()
    assert f'id="card-{kept.pk}"' in body
    assert f'id="card-{gone.pk}"' not in body
