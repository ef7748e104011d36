from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from depicta_web.generations.models import Generation
from depicta_web.lib.htmx import HtmxHttpRequest

from . import archive, keeping, verification
from .forms import BulkForm, CollectionForm, GalleryFilterForm
from .models import Collection
from .selectors import (
    PAGE_SIZE,
    CursorInvalid,
    detail_context,
    filter_choices,
    gallery_page,
    generation_for_detail,
    trash_generations,
)
from .trash import generations_trash

SPOOL_BYTES = 32 * 1024 * 1024


@require_GET
@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    return _gallery(request, request.GET, collection=None)


@require_GET
@login_required
def detail(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(generation_for_detail(), pk=pk)
    context = detail_context(request.user, generation)
    if request.htmx and request.GET.get("view") == "lightbox":
        return render(request, "gallery/detail.html#lightbox", context)
    return render(request, "gallery/detail.html", context)


@require_GET
@login_required
def collection(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    chosen = get_object_or_404(Collection, pk=pk)
    params = request.GET.copy()
    params["collection"] = str(chosen.pk)
    return _gallery(request, params, collection=chosen)


def _gallery(request: HtmxHttpRequest, params: QueryDict, *, collection) -> HttpResponse:
    form = GalleryFilterForm(params)
    page, status = None, 200
    if form.is_valid():
        filters = form.cleaned_data
        try:
            page = gallery_page(
                user=request.user,
                filters=filters,
                size=filters["size"] or PAGE_SIZE,
                after=filters["after"],
            )
        except CursorInvalid as exc:
            form.add_error("after", str(exc))
    if page is None:
        status = 422  # htmx still swaps it in, so the error shows where the grid was
    context = {
        "form": form,
        "page": page,
        "collection": collection,
        "next_query": _next_query(params, page),
        "base_url": request.path,
        "poll_seconds": settings.DEPICTA_POLL_SECONDS,
    }
    if request.htmx and not request.htmx.history_restore_request:
        part = "grid-page" if params.get("after") and page else "results"
        return render(request, f"gallery/index.html#{part}", context, status=status)
    context.update(filter_choices())
    return render(request, "gallery/index.html", context, status=status)


def _next_query(params: QueryDict, page) -> str:
    if page is None or page.next_cursor is None:
        return ""
    following = params.copy()
    following["after"] = page.next_cursor
    return following.urlencode()


def _back(request: HtmxHttpRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target or fallback)


@require_POST
@login_required
def bulk(request: HtmxHttpRequest) -> HttpResponse | FileResponse:
    form = BulkForm(request.POST)
    fallback = reverse("gallery:index")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, fallback)
    action, chosen = form.cleaned_data["action"], form.cleaned_data["generations"]
    target = form.cleaned_data.get("collection")
    if action == "zip":
        return _zip_response(chosen)
    if action in ("favourite", "unfavourite"):
        keeping.favourite_set(user=request.user, generations=chosen, on=action == "favourite")
        word = "Added to" if action == "favourite" else "Removed from"
        messages.success(request, f"{word} your favourites: {len(chosen)} image(s).")
    elif action == "add":
        assert target is not None  # BulkForm.clean requires one for "add" and "remove"
        added = keeping.collection_add(collection=target, generations=chosen, by=request.user)
        messages.success(request, f"Added {added} image(s) to “{target.name}”.")
    elif action == "remove":
        assert target is not None
        removed = keeping.collection_remove(collection=target, generations=chosen)
        messages.success(request, f"Removed {removed} image(s) from “{target.name}”.")
    elif action == "delete":
        outcome = generations_trash(generations=chosen, by=request.user)
        if outcome.refused:
            messages.error(request, _refusal(outcome.refused))
            return _back(request, fallback)
        messages.success(request, f"Moved {len(outcome.moved)} image(s) to the trash.")
    return _back(request, fallback)


def _refusal(refused: list[Generation]) -> str:
    names = ", ".join(sorted({g.author.get_username() for g in refused}))
    return (
        f"Nothing was deleted: {len(refused)} of the selected images belong to {names}, and "
        "only an image's author or an admin may delete it."
    )


def _zip_response(chosen: list[Generation]) -> FileResponse:
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the response closes it)
    archive.archive_write(generations=chosen, stream=spool)
    spool.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"depicta-images-{stamp}.zip",
        content_type="application/zip",
    )


@require_POST
@login_required
def favourite(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(Generation, pk=pk, deleted_at=None)
    generation.is_favourite = keeping.favourite_toggle(user=request.user, generation=generation)
    if request.htmx:
        return render(request, "gallery/favourite.html", {"generation": generation})
    return _back(request, generation.get_absolute_url())


@require_POST
@login_required
def delete(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(Generation.objects.select_related("author"), pk=pk)
    outcome = generations_trash(generations=[generation], by=request.user)
    if outcome.refused:
        messages.error(request, _refusal(outcome.refused))
        return render(
            request, "gallery/detail.html", detail_context(request.user, generation), status=403
        )
    messages.success(request, "Moved to the trash. You can restore it from there.")
    return redirect("gallery:trash")


@require_POST
@login_required
def restore(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(Generation.objects.select_related("author"), pk=pk)
    if not generation.can_delete(request.user):
        messages.error(request, "Only the image's author or an admin may restore it.")
        return redirect("gallery:trash")
    generation.restore()
    messages.success(request, "Restored to the gallery.")
    return redirect(generation)


@require_GET
@login_required
def trash(request: HtmxHttpRequest) -> HttpResponse:
    generations = list(trash_generations()[:200])
    for generation in generations:
        generation.restorable = generation.can_delete(request.user)
    context = {"generations": generations, "retention_days": settings.GALLERY_TRASH_DAYS}
    return render(request, "gallery/trash.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def collections(request: HtmxHttpRequest) -> HttpResponse:
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = keeping.collection_create(name=form.cleaned_data["name"], by=request.user)
        except keeping.CollectionNameTaken as exc:  # made by another request meanwhile
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Collection “{made.name}” created.")
            return redirect(made)
    status = 422 if form.errors else 200
    context = {"form": form, "collections": Collection.objects.all()}
    return render(request, "gallery/collections.html", context, status=status)


@require_POST
@login_required
def collection_rename(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    chosen = get_object_or_404(Collection, pk=pk)
    form = CollectionForm(request.POST, instance=chosen)
    if not form.is_valid():
        messages.error(request, " ".join(map(str, form.errors["name"])))
        return redirect(chosen)
    try:
        keeping.collection_rename(collection=chosen, name=form.cleaned_data["name"])
    except keeping.CollectionNameTaken as exc:  # taken by another request meanwhile
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Renamed to “{chosen.name}”.")
    return redirect(chosen)


@require_POST
@login_required
def verify(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(
        Generation.objects.select_related("author").prefetch_related("images__files"), pk=pk
    )
    checks = [
        verification.file_verify(file=image.original)
        for image in generation.images.all()
        if image.original is not None
    ]
    if request.htmx:
        return render(request, "gallery/detail.html#verification", {"checks": checks})
    context = detail_context(request.user, generation) | {"checks": checks}
    return render(request, "gallery/detail.html", context)
