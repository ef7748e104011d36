"""The studio: write a prompt, pick the settings, submit; the card appears at once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from depicta_web.generations.catalogue import CatalogueUnavailable, models_available
from depicta_web.generations.models import Generation
from depicta_web.generations.selectors import generations_recent
from depicta_web.generations.submitting import SubmitRefused, generation_submit
from depicta_web.lib.htmx import HtmxHttpRequest
from depicta_web.spend.budgets import budget_guard
from depicta_web.spend.ledger import balance_current

from .forms import REMIX_FIELDS, GenerationForm

# The settings a designer keeps from one submit to the next; prompt and references start empty.
KEPT_AFTER_SUBMIT = ("model", "aspect_ratio", "image_size", "strictness")


def _form(data=None, initial=None) -> tuple[GenerationForm | None, str]:
    try:
        models = models_available()
    except CatalogueUnavailable as exc:
        return None, f"The model list could not be loaded from Depicta ({exc}). Try again soon."
    seen = balance_current()
    balance = seen.amount if seen else None
    return GenerationForm(data, models=models, balance=balance, initial=initial), ""


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
    return render(request, "studio/index.html", context)


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
        generation = _submit(request, form, parent)
    if generation is None or form is None:
        return _refused(request, form, catalogue_error, parent)
    if not request.htmx:
        return redirect("studio:index")
    fresh, _ = _form(initial={k: form.cleaned_data[k] for k in KEPT_AFTER_SUBMIT})
    return render(
        request,
        "studio/submitted.html",
        {"generation": generation, "form": fresh, "poll_seconds": settings.DEPICTA_POLL_SECONDS},
    )


def _submit(request: HtmxHttpRequest, form: GenerationForm, parent) -> Generation | None:
    """The generation, or None with the refusal (a budget) shown as a form error: refused
    before any API call."""
    try:
        return generation_submit(
            author=request.user,
            params=form.parameters(),
            estimated_cost=form.estimated_cost,
            parent=parent,
            guard=budget_guard,
        )
    except SubmitRefused as exc:
        form.add_error(None, exc.message)
        return None


def _refused(request: HtmxHttpRequest, form, catalogue_error: str, parent) -> HttpResponse:
    context = _studio_context(form, catalogue_error, parent)
    if request.htmx:
        response = render(request, "studio/index.html#prompt-form", context, status=422)
        return reswap(retarget(response, "#prompt-form"), "outerHTML")
    return render(request, "studio/index.html", context, status=422)


@require_POST
@login_required
def retry(request: HtmxHttpRequest, pk) -> HttpResponse:
    """A failed generation is never re-run in place: a new one with the same parameters. A
    refusal (a budget, a setting no longer offered) shows the studio with the reason."""
    original = get_object_or_404(Generation, pk=pk)
    form, catalogue_error = _form(_parameters_as_post(original))
    if form is None or not form.is_valid() or _submit(request, form, original) is None:
        return _refused(request, form, catalogue_error, original)
    return redirect("studio:index")


def _parameters_as_post(generation: Generation) -> QueryDict:
    data = QueryDict(mutable=True)
    for name in REMIX_FIELDS:
        data[name] = getattr(generation, name)
    for ref in generation.reference_images:
        data.appendlist("url", ref["url"])
        data.appendlist("description", ref["description"])
    return data
