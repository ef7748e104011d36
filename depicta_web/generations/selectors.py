"""Reads the screens need, each shaped so a page costs a fixed number of queries."""

from django.db.models import QuerySet

from .models import Generation


def generations_for_cards() -> QuerySet[Generation]:
    return Generation.objects.select_related("author").prefetch_related("images__files")


def generations_recent(limit: int = 30) -> list[Generation]:
    """The studio's feed: the team's latest, without what is in the trash."""
    return list(generations_for_cards().filter(deleted_at=None)[:limit])
