"""The gallery's filters (read from the URL) and the small forms for collections."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib.auth import get_user_model

from depicta_web.depicta.schema import ASPECT_RATIOS
from depicta_web.generations.models import Generation
from depicta_web.lib.bounds import LARGEST_ID, day_is_countable, days_allowed
from depicta_web.lib.text import is_blank

from .keeping import CollectionNameTaken
from .models import Collection
from .search import SearchTextInvalid, search_words

SORTS = [("newest", "Newest first"), ("oldest", "Oldest first"), ("cost", "Highest cost")]
MAX_PAGE_SIZE = 120


class GalleryFilterForm(forms.Form):
    """Every filter is a URL parameter, so a filtered view can be shared and bookmarked."""

    q = forms.CharField(required=False, max_length=200, label="Search prompts")
    person = forms.CharField(required=False, label="Person")
    model = forms.CharField(required=False, max_length=100, label="Model")
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *Generation.Status.choices],
        error_messages={"invalid_choice": "%(value)s is not a status a generation can have."},
    )
    ratio = forms.ChoiceField(
        required=False,
        label="Aspect ratio",
        choices=[("", "Any ratio")] + [(r, r) for r in ASPECT_RATIOS],
        error_messages={"invalid_choice": "%(value)s is not an aspect ratio."},
    )
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "“From” must be a date like 2026-11-26."},
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "“To” must be a date like 2026-11-26."},
    )
    favourites = forms.BooleanField(required=False, label="My favourites")
    collection = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=LARGEST_ID,
        error_messages={
            "invalid": "The collection must be given by its number.",
            "max_value": "There is no collection with so large a number.",
        },
    )
    sort = forms.ChoiceField(
        required=False,
        choices=SORTS,
        error_messages={"invalid_choice": "Sort by newest, oldest or cost, not %(value)s."},
    )
    size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        error_messages={
            "min_value": "A page holds at least 1 image.",
            "max_value": f"A page holds at most {MAX_PAGE_SIZE} images.",
            "invalid": "The page size must be a whole number.",
        },
    )
    after = forms.CharField(required=False, max_length=200)

    def clean_q(self) -> str:
        text = self.cleaned_data["q"].strip()
        if text:
            try:
                search_words(text)
            except SearchTextInvalid as exc:
                raise forms.ValidationError(str(exc)) from exc
        return text

    def clean_since(self):
        return _countable(self.cleaned_data["since"], "From")

    def clean_until(self):
        return _countable(self.cleaned_data["until"], "To")

    def clean_person(self) -> str:
        username = self.cleaned_data["person"].strip()
        if username and not get_user_model().objects.filter(username=username).exists():
            raise forms.ValidationError(f"Nobody on the team is called “{username}”.")
        return username

    def clean_collection(self) -> Collection | None:
        number = self.cleaned_data["collection"]
        if number is None:
            return None
        collection = Collection.objects.filter(pk=number).first()
        if collection is None:
            raise forms.ValidationError(f"There is no collection number {number}.")
        return collection

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "“To” is before “From”: swap the dates.")
        cleaned["sort"] = cleaned.get("sort") or "newest"
        return cleaned


def _countable(day, label: str):
    if day is not None and not day_is_countable(day):
        raise forms.ValidationError(f"“{label}” must be a day {days_allowed()}.")
    return day


class CollectionForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Collection name",
        error_messages={"required": "Give the collection a name."},
    )

    def __init__(self, *args, instance: Collection | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if is_blank(name):  # zero-width spaces and the like are no name either
            raise forms.ValidationError(
                "Give the collection a name, not only spaces or invisible characters."
            )
        taken = Collection.objects.filter(name__iexact=name)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(str(CollectionNameTaken(name)))
        return name


BULK_ACTIONS = [
    ("favourite", "Favourite"),
    ("unfavourite", "Unfavourite"),
    ("add", "Add to collection"),
    ("remove", "Remove from collection"),
    ("delete", "Move to trash"),
    ("zip", "Download ZIP"),
]
MAX_BULK = 500


class BulkForm(forms.Form):
    """Selected cards (repeated `ids`) and what to do with them."""

    action = forms.ChoiceField(
        choices=BULK_ACTIONS,
        error_messages={
            "required": "Choose what to do with the selected images.",
            "invalid_choice": "%(value)s is not something the gallery can do to images.",
        },
    )
    collection = forms.ModelChoiceField(
        queryset=Collection.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That collection does not exist (any more)."},
    )

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        if not raw:
            raise forms.ValidationError("Select at least one image first.")
        if len(raw) > MAX_BULK:
            raise forms.ValidationError(f"At most {MAX_BULK} images at once; {len(raw)} chosen.")
        try:
            ids = {uuid.UUID(value) for value in raw}
        except ValueError as exc:
            raise forms.ValidationError("The selection holds an id that is not an image.") from exc
        found = list(
            Generation.objects.filter(pk__in=ids, deleted_at=None)
            .select_related("author")
            .prefetch_related("images__files")
        )
        if len(found) != len(ids):
            raise forms.ValidationError(
                f"{len(ids) - len(found)} of the selected images no longer exist or are in "
                "the trash; reload the page and select again."
            )
        cleaned["generations"] = found
        if cleaned.get("action") in ("add", "remove") and not cleaned.get("collection"):
            self.add_error("collection", "Pick the collection first.")
        return cleaned
