"""A card's poll, and our copies of the images (inline and as downloads)."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from depicta_web.lib.htmx import HtmxHttpRequest

from . import polling
from .models import Generation, ImageFile
from .selectors import generations_for_cards
from .storage_names import MEDIA_NAME

# Content-addressed names never change: the browser may keep them for a year.
IMMUTABLE = "private, max-age=31536000, immutable"


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
    context = {
        "generation": generation,
        "poll_seconds": settings.DEPICTA_POLL_SECONDS,
        "gallery": request.GET.get("in") == "gallery",  # the card keeps its gallery tools
    }
    if not generation.is_final:
        return render(request, "generations/card.html", context)
    # htmx swaps the final card in and stops polling (286); the header's balance follows.
    return render(
        request, "generations/final_card.html", context, status=HttpResponseStopPolling.status_code
    )


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
