from __future__ import annotations

import mimetypes
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling, reswap, retarget
from django_htmx.middleware import HtmxDetails

from .catalogue import CatalogueUnavailable, models_available
from .forms import GenerationForm
from .models import Generation, ImageFile
from .pipeline import generation_submit
from .selectors import generations_for_cards, generations_recent

# Content-addressed names never change: the browser may keep them for a year.
IMMUTABLE = "private, max-age=31536000, immutable"
MEDIA_NAME = re.compile(r"^(originals|thumbs)/[0-9a-f]{2}/[0-9a-f]{64}(-\d+)?\.(png|jpg|webp)$")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _form(data=None) -> tuple[GenerationForm | None, str]:
    try:
        return GenerationForm(data, models=models_available()), ""
    except CatalogueUnavailable as exc:
        return None, f"The model list could not be loaded from Depicta ({exc}). Try again soon."


def _studio_context(form: GenerationForm | None, catalogue_error: str) -> dict:
    return {
        "form": form,
        "catalogue_error": catalogue_error,
        "generations": generations_recent(),
        "poll_seconds": settings.DEPICTA_POLL_SECONDS,
    }


@require_GET
@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    form, catalogue_error = _form()
    return render(request, "generations/index.html", _studio_context(form, catalogue_error))


@require_POST
@login_required
def submit(request: HtmxHttpRequest) -> HttpResponse:
    form, catalogue_error = _form(request.POST)
    if form is None or not form.is_valid():
        context = _studio_context(form, catalogue_error)
        if request.htmx:
            response = render(request, "generations/index.html#prompt-form", context, status=422)
            return reswap(retarget(response, "#prompt-form"), "outerHTML")
        return render(request, "generations/index.html", context, status=422)
    generation = generation_submit(
        author=request.user, params=form.parameters(), estimated_cost=form.estimated_cost
    )
    if not request.htmx:
        return redirect("generations:index")
    fresh, _ = _form()
    # Keep the choices the designer made; only the prompt and references start empty.
    fresh.initial.update(
        {k: form.cleaned_data[k] for k in ("model", "aspect_ratio", "image_size", "strictness")}
    )
    return render(
        request,
        "generations/submitted.html",
        {"generation": generation, "form": fresh, "poll_seconds": settings.DEPICTA_POLL_SECONDS},
    )


@require_GET
@login_required
def status(request: HtmxHttpRequest, pk) -> HttpResponse:
    """The card's poll. Cheap when nothing changed: one indexed query and an empty answer."""
    row = Generation.objects.filter(pk=pk).values_list("updated_at", "status").first()
    if row is None:
        raise Http404
    generation = Generation(updated_at=row[0], status=row[1])
    if request.GET.get("u") == generation.version and not generation.is_final:
        return HttpResponse(status=204)
    generation = get_object_or_404(generations_for_cards(), pk=pk)
    context = {"generation": generation, "poll_seconds": settings.DEPICTA_POLL_SECONDS}
    if not generation.is_final:
        return render(request, "generations/index.html#card", context)
    # htmx swaps the final card in and stops polling (286); the header's balance follows.
    return render(
        request, "generations/final_card.html", context, status=HttpResponseStopPolling.status_code
    )


@require_GET
@login_required
def detail(request: HtmxHttpRequest, pk) -> HttpResponse:
    generation = get_object_or_404(
        Generation.objects.select_related("author", "parent").prefetch_related("images__files"),
        pk=pk,
    )
    return render(request, "generations/detail.html", {"generation": generation})


@require_POST
@login_required
def retry(request: HtmxHttpRequest, pk) -> HttpResponse:
    """A failed generation is never re-run in place: a new one with the same parameters."""
    original = get_object_or_404(Generation, pk=pk)
    form, _ = _form(_parameters_as_post(original))
    if form is None or not form.is_valid():
        return redirect(original)
    generation_submit(
        author=request.user,
        params=form.parameters(),
        estimated_cost=form.estimated_cost,
        parent=original,
    )
    return redirect("generations:index")


def _parameters_as_post(generation: Generation):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for name in ("prompt", "model", "aspect_ratio", "image_size", "strictness"):
        data[name] = getattr(generation, name)
    for ref in generation.reference_images:
        data.appendlist("url", ref["url"])
        data.appendlist("description", ref["description"])
    return data


@require_GET
@login_required
def media(request: HttpRequest, name: str) -> FileResponse:
    """Our copies are served only to logged-in users, byte for byte."""
    if not MEDIA_NAME.match(name) or not default_storage.exists(name):
        raise Http404
    response = FileResponse(
        default_storage.open(name, "rb"), content_type=mimetypes.guess_type(name)[0]
    )
    response["Cache-Control"] = IMMUTABLE
    return response


@require_GET
@login_required
def download(request: HttpRequest, pk, position: int, fmt: str) -> FileResponse:
    file = get_object_or_404(
        ImageFile.objects.select_related("image__generation"),
        image__generation_id=pk,
        image__position=position,
        format=fmt,
        state=ImageFile.State.STORED,
    )
    generation = file.image.generation
    stem = slugify(generation.prompt)[:60].strip("-") or "image"
    suffix = f"-{position}" if position > 1 else ""
    filename = f"depicta-{stem}-{str(generation.pk)[:8]}{suffix}.{fmt.replace('jpeg', 'jpg')}"
    response = FileResponse(
        default_storage.open(file.storage_name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=file.mime,
    )
    response["Cache-Control"] = IMMUTABLE
    return response
