"""Reads for the gallery. A page is a fixed number of queries, whatever its size or depth.

Pagination is by keyset (the last card's sort key travels in `after`), never OFFSET, so a page
deep in the scroll costs what the first one does.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from depicta_web.generations.models import Generation

from .models import Collection, Favourite
from .search import prompts_matching

PAGE_SIZE = 60
MODELS_CACHE_KEY = "gallery:models-used"
MODELS_CACHE_SECONDS = 300
NO_COST = Decimal("-1")  # sorts unpriced generations (in progress, failed) after the rest


class CursorInvalid(ValueError):
    pass


@dataclass(frozen=True)
class GalleryPage:
    generations: list[Generation]
    next_cursor: str | None


def gallery_generations(*, user, filters: dict) -> QuerySet[Generation]:
    """The team's generations (not in the trash) narrowed by the gallery's filters."""
    queryset = Generation.objects.filter(deleted_at=None)
    return _filtered(queryset, user=user, filters=filters)


def trash_generations() -> QuerySet[Generation]:
    return (
        Generation.objects.exclude(deleted_at=None)
        .exclude(prompt="")  # purged: only the charge is left
        .select_related("author", "deleted_by")
        .prefetch_related("images")
        .order_by("-deleted_at", "-id")
    )


def _filtered(queryset: QuerySet[Generation], *, user, filters: dict) -> QuerySet[Generation]:
    if filters.get("q"):
        queryset = prompts_matching(queryset, filters["q"])
    if filters.get("person"):
        queryset = queryset.filter(author__username=filters["person"])
    if filters.get("model"):
        queryset = queryset.filter(Q(model=filters["model"]) | Q(resolved_model=filters["model"]))
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("ratio"):
        queryset = queryset.filter(aspect_ratio=filters["ratio"])
    if filters.get("since"):
        queryset = queryset.filter(created_at__gte=_day_start(filters["since"]))
    if filters.get("until"):
        queryset = queryset.filter(created_at__lt=_day_start(filters["until"], plus_days=1))
    if filters.get("favourites"):
        queryset = queryset.filter(favourites__user=user)
    if filters.get("collection"):
        queryset = queryset.filter(collection_items__collection=filters["collection"])
    return queryset


def _day_start(day: date, plus_days: int = 0) -> datetime:
    moment = datetime.combine(day, time.min) + timedelta(days=plus_days)
    return timezone.make_aware(moment)


def gallery_page(*, user, filters: dict, size: int = PAGE_SIZE, after: str = "") -> GalleryPage:
    """One page of cards: one query for the rows (with author and favourite flag), one for
    their images. `after` is the cursor a previous page handed out."""
    sort = filters.get("sort") or "newest"
    favourite = Exists(Favourite.objects.filter(user=user.pk, generation=OuterRef("pk")))
    queryset = gallery_generations(user=user, filters=filters).select_related("author")
    # The plugin refuses an annotation named like an attribute; Generation declares this one.
    queryset = queryset.prefetch_related("images").annotate(is_favourite=favourite)  # type: ignore[no-redef]
    if sort == "cost":
        queryset = queryset.annotate(cost_key=Coalesce("cost_eur", Value(NO_COST)))
        queryset = queryset.order_by("-cost_key", "-created_at", "-id")
    elif sort == "oldest":
        queryset = queryset.order_by("created_at", "id")
    else:
        queryset = queryset.order_by("-created_at", "-id")
    if after:
        queryset = queryset.filter(_after(sort, cursor_parse(after, sort)))
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return GalleryPage(rows, cursor_make(rows[-1], sort) if more and rows else None)


def cursor_make(generation: Generation, sort: str) -> str:
    parts = [generation.created_at.isoformat(), generation.pk.hex]
    if sort == "cost":
        parts.insert(0, str(generation.cost_eur if generation.cost_eur is not None else NO_COST))
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def cursor_parse(cursor: str, sort: str) -> tuple:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        parts = raw.split("|")
        cost = _cursor_cost(parts.pop(0)) if sort == "cost" else None
        created_at, pk = datetime.fromisoformat(parts[0]), uuid.UUID(parts[1])
        if len(parts) != 2 or created_at.tzinfo is None:
            raise ValueError(raw)
        # In UTC, as the database compares it: a moment near datetime's ends has none there.
        created_at = created_at.astimezone(UTC)
    except (
        ValueError,
        IndexError,
        OverflowError,
        binascii.Error,
        InvalidOperation,
        UnicodeDecodeError,
    ) as exc:
        raise CursorInvalid(
            "This “more” link is damaged or belongs to another sort order: "
            "reload the gallery to start from the first page."
        ) from exc
    return cost, created_at, pk


def _cursor_cost(text: str) -> Decimal:
    """A cost as cursor_make wrote it: a finite amount the cost column can hold (never NaN,
    Infinity or 1e999999, which the database cannot compare or even take)."""
    cost = Decimal(text)
    field = Generation._meta.get_field("cost_eur")
    largest = Decimal(10) ** (field.max_digits - field.decimal_places)
    if not cost.is_finite() or abs(cost) >= largest:
        raise ValueError(text)
    return cost


def _after(sort: str, key: tuple) -> Q:
    cost, created_at, pk = key
    if sort == "oldest":
        # The outer >= keeps the scan on the (created_at, id) index range.
        return Q(created_at__gte=created_at) & (Q(created_at__gt=created_at) | Q(id__gt=pk))
    later = Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
    if sort == "cost":
        return Q(cost_key__lt=cost) | (Q(cost_key=cost) & later)
    return Q(created_at__lte=created_at) & later


def filter_choices() -> dict:
    """The options the filter bar offers: people, models, collections.

    The models ever used need a scan of every generation, so that list is cached for a few
    minutes: the page then costs the same with 1,000 or 100,000 generations."""
    models = cache.get(MODELS_CACHE_KEY)
    if models is None:
        models = list(
            Generation.objects.order_by("model").values_list("model", flat=True).distinct()
        )
        cache.set(MODELS_CACHE_KEY, models, MODELS_CACHE_SECONDS)
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )
    return {"people": people, "models": models, "collections": list(Collection.objects.all())}


def generation_for_detail() -> QuerySet[Generation]:
    return Generation.objects.select_related("author", "parent", "deleted_by").prefetch_related(
        "images__files"
    )


def detail_context(user, generation: Generation) -> dict:
    """What the detail page and the lightbox show beside the generation itself."""
    generation.is_favourite = Favourite.objects.filter(user=user, generation=generation).exists()
    return {
        "generation": generation,
        "remixes": list(
            generation.remixes.filter(deleted_at=None)
            .select_related("author")
            .prefetch_related("images")
            .order_by("-created_at")[:24]
        ),
        "collections": list(Collection.objects.all()),
        "in_collections": [c for c in generation.collections.all()],
        "can_delete": generation.can_delete(user),
    }
