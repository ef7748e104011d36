"""What designers keep: favourites (each person's own stars) and the team's collections.
Keyword-only functions; views call them and render."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from depicta_web.generations.models import Generation

from .models import Collection, CollectionItem, Favourite


def favourite_set(*, user, generations: list[Generation], on: bool) -> int:
    """Star (or unstar) each generation for this person; returns how many changed."""
    if on:
        existing = set(
            Favourite.objects.filter(user=user, generation__in=generations).values_list(
                "generation_id", flat=True
            )
        )
        new = [Favourite(user=user, generation=g) for g in generations if g.pk not in existing]
        Favourite.objects.bulk_create(new, ignore_conflicts=True)
        return len(new)
    deleted, _ = Favourite.objects.filter(user=user, generation__in=generations).delete()
    return deleted


def favourite_toggle(*, user, generation: Generation) -> bool:
    """Returns whether the generation is now a favourite."""
    deleted, _ = Favourite.objects.filter(user=user, generation=generation).delete()
    if deleted:
        return False
    Favourite.objects.get_or_create(user=user, generation=generation)
    return True


class CollectionNameTaken(Exception):
    """Another collection has this name, whatever its case."""

    def __init__(self, name: str):
        super().__init__(f"A collection called “{name}” already exists.")


def collection_create(*, name: str, by) -> Collection:
    """The form checks the name first; the database has the last word when another request
    took it meanwhile (CollectionNameTaken)."""
    try:
        with transaction.atomic():
            return Collection.objects.create(name=name, created_by=by)
    except IntegrityError as exc:
        raise CollectionNameTaken(name) from exc


def collection_rename(*, collection: Collection, name: str) -> Collection:
    collection.name = name
    try:
        with transaction.atomic():
            collection.save(update_fields=["name"])
    except IntegrityError as exc:
        raise CollectionNameTaken(name) from exc
    return collection


def collection_add(*, collection: Collection, generations: list[Generation], by) -> int:
    present = set(
        collection.items.filter(generation__in=generations).values_list("generation_id", flat=True)
    )
    new = [
        CollectionItem(collection=collection, generation=g, added_by=by)
        for g in generations
        if g.pk not in present
    ]
    CollectionItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def collection_remove(*, collection: Collection, generations: list[Generation]) -> int:
    deleted, _ = collection.items.filter(generation__in=generations).delete()
    return deleted
