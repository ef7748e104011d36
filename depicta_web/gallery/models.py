"""What the team keeps: personal favourites and shared collections of generations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from depicta_web.generations.models import Generation


class Favourite(models.Model):
    """One person's star on one generation; favourites are personal, collections are shared."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "generation"], name="one_star_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.generation_id}"


class Collection(models.Model):
    """A named set of generations the whole team can see and edit."""

    name = models.CharField(max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="collections_made"
    )
    created_at = models.DateTimeField(default=timezone.now)
    generations = models.ManyToManyField(
        Generation, through="CollectionItem", related_name="collections"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            # Shared by the whole team, so one "Moodboard" whatever the case: enforced here,
            # not only by the form, because two requests can pass the form's check at once.
            models.UniqueConstraint(Lower("name"), name="collection_name_unique_ignoring_case")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("gallery:collection", args=[self.pk])


class CollectionItem(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    generation = models.ForeignKey(
        Generation, on_delete=models.CASCADE, related_name="collection_items"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["collection", "generation"], name="once_per_collection")
        ]

    def __str__(self) -> str:
        return f"{self.collection_id} ∋ {self.generation_id}"
