from __future__ import annotations

import mimetypes
import re
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling, reswap, retarget
from django_htmx.middleware import HtmxDetails

from depicta_web.gallery.selectors import detail_context, generation_for_detail
from depicta_web.spend.budgets import BudgetExceeded

from . import polling
from .catalogue import CatalogueUnavailable, models_available
from .forms import GenerationForm
from .models import Generation, ImageFile
from .pipeline import generation_submit
from .selectors import generations_for_cards, generations_recent

REMIX_FIELDS = ("prompt", "model", "aspect_ratio", "image_size", "strictness")
# Content-addressed names never change: the browser may keep them for a year.
IMMUTABLE = "private, max-age=31536000, immutable"
MEDIA_NAME = re.compile(r"^(originals|thumbs)/[0-9a-f]{2}/[0-9a-f]{64}(-\d+)?\.(png|jpg|webp)$")


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _form(data=None, initial=None) -> tuple[GenerationForm | None, str]:
    try:
        return GenerationForm(data, models=models_available(), initial=initial), ""
    except CatalogueUnavailable as exc:
        return None, f"The model list could not be loaded from Depicta ({exc}). Try again soon."


def _studio_context(
    form: GenerationForm | None, catalogue_error: str, parent: Generation | None = None
) -> dict:
    return {
        "form": form,
        "catalogue_error": catalogue_error,
        "generations": generations_recent(),
        "poll_seconds": settings.DEPICTA_POLL_SECONDS,
        "parent": parent,
    }


def _parent(value: str | None) -> Generation | None:
    """The generation a remix starts from (`?remix=` or the form's hidden `parent`)."""
    if not value:
        return None
    try:
        return Generation.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        return None


@require_GET
@login_required
def index(request: HtmxHttpRequest) -> HttpResponse:
    parent = _parent(request.GET.get("remix"))
    if request.GET.get("remix") and parent is None:
        raise Http404("There is no image to remix with that id.")
    # Remix: every parameter of the parent, references included, ready to change.
    remixed = {name: getattr(parent, name) for name in REMIX_FIELDS} if parent else None
    form, catalogue_error = _form(initial=remixed)
    if form is not None and parent is not None:
        form.reference_rows = [(r["url"], r["description"]) for r in parent.reference_images]
    context = _studio_context(form, catalogue_error, parent)
    return render(request, "generations/index.html", context)


@require_POST
@login_required
def submit(request: HtmxHttpRequest) -> HttpResponse:
    form, catalogue_error = _form(request.POST)
    parent = _parent(request.POST.get("parent"))
    generation = None
    if form is not None and form.is_valid():
        if request.POST.get("parent") and parent is None:
            form.add_error(None, "The image this remixes no longer exists; nothing was sent.")
            return _refused(request, form, catalogue_error, parent)
        try:
            generation = generation_submit(
                author=request.user,
                params=form.parameters(),
                estimated_cost=form.estimated_cost,
                parent=parent,
            )
        except BudgetExceeded as exc:  # refused before any API call: shown like a form error
            form.add_error(None, exc.message)
    if generation is None:
        return _refused(request, form, catalogue_error, parent)
    if not request.htmx:
        return redirect("generations:index")
    # Keep the choices the designer made; only the prompt and references start empty.
    kept = ("model", "aspect_ratio", "image_size", "strictness")
    fresh, _ = _form(initial={k: form.cleaned_data[k] for k in kept})
    return render(
        request,
        "generations/submitted.html",
        {"generation": generation, "form": fresh, "poll_seconds": settings.DEPICTA_POLL_SECONDS},
    )


def _refused(request: HtmxHttpRequest, form, catalogue_error: str, parent) -> HttpResponse:
    context = _studio_context(form, catalogue_error, parent)
    if request.htmx:
        response = render(request, "generations/index.html#prompt-form", context, status=422)
        return reswap(retarget(response, "#prompt-form"), "outerHTML")
    return render(request, "generations/index.html", context, status=422)


@require_GET
def status(request: HtmxHttpRequest, pk) -> HttpResponse:
    """The card's poll. "Nothing changed" (204) is answered from the poll token and the version
    board when it can: no session, no user, no query (see polling.py). Anything else, or a poll
    without a valid token, goes through the login check."""
    seen, current = request.GET.get("u"), None
    if polling.token_is_valid(pk, request.GET.get("t")):
        current = _current(str(pk))
        if current is None:
            raise Http404
        if _unchanged(seen, current):
            return HttpResponse(status=204)
    return _status_for_designer(request, pk, seen, current)


def _unchanged(seen: str | None, current: tuple[str, str]) -> bool:
    return seen == current[0] and current[1] not in Generation.FINAL_STATUSES


def _current(generation_id: str) -> tuple[str, str] | None:
    """(version, status) from the board, else from one indexed query (which feeds the board)."""
    polling.board.ensure_listening()
    known = polling.board.known(generation_id)
    if known is not None:
        return known
    session = polling.board.session
    row = Generation.objects.filter(pk=generation_id).values_list("updated_at", "status").first()
    if row is None:
        return None
    version = polling.version_of(row[0])
    polling.board.learn(generation_id, version, row[1], session=session)
    return version, row[1]


@login_required
def _status_for_designer(
    request: HtmxHttpRequest, pk, seen: str | None, current: tuple[str, str] | None
) -> HttpResponse:
    current = current or _current(str(pk))  # already read when the poll had a valid token
    if current is None:
        raise Http404
    if _unchanged(seen, current):
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
    generation = get_object_or_404(generation_for_detail(), pk=pk)
    context = detail_context(request.user, generation)
    if request.htmx and request.GET.get("view") == "lightbox":
        return render(request, "generations/detail.html#lightbox", context)
    return render(request, "generations/detail.html", context)


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
    filename = file.image.generation.download_filename(position, fmt)
    response = FileResponse(
        default_storage.open(file.storage_name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=file.mime,
    )
    response["Cache-Control"] = IMMUTABLE
    return response
