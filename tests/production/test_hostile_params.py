"""Hostile query parameters: every page answers them with a page or a 4xx, never a 500.

A designer, an admin (staff) and a superuser (for the admin site) each open every page they may
open, once for each of its query parameters with each hostile value: huge and negative numbers,
NaN, far dates, NUL bytes, very long strings, odd unicode, bytes that are not UTF-8, empty and
repeated parameters. The parameters are read from the forms that parse them (and the admin's
own filters), so a new filter is fed hostile values without touching this file; a new URL fails
`test_every_page_is_fed_hostile_params` until it is given a row in PAGES. CI runs this on SQLite
and on PostgreSQL (which refuses NUL bytes and out-of-range numbers that SQLite stores).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from depicta_web.gallery.forms import GalleryFilterForm
from depicta_web.gallery.models import Collection
from depicta_web.generations.models import Generation
from depicta_web.spend.exports import EXPORTS
from depicta_web.spend.forms import SpendFilterForm
from depicta_web.spend.models import TopUp

from ..url_names import url_names

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

A_UUID = "0" * 32


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-9223372036854775809",
    "9223372036854775808",
    str(2**70),
    "9" * 400,
    "1e999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1.5",
    "9999-12-31",
    "0001-01-01",
    "0000-00-00",
    "99999-12-31",
    "2026-02-30",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "\uff44emo",
    "😀🖼️",
    "\u202egnp.exe",
    "\u200b\u200b",
    "' OR 1=1 --",
    '"',
    "%_*",
    'NEAR(a b) "x" a:* !&|',
    "<script>alert(1)</script>",
    "00000000-0000-0000-0000-000000000000",
    "../../etc/passwd",
    _cursor(f"NaN|2026-01-01T00:00:00+00:00|{A_UUID}"),
    _cursor(f"sNaN|2026-01-01T00:00:00+00:00|{A_UUID}"),
    _cursor(f"Infinity|2026-01-01T00:00:00+00:00|{A_UUID}"),
    _cursor(f"1e999999|2026-01-01T00:00:00+00:00|{A_UUID}"),
    _cursor(f"0001-01-01T00:00:00+14:00|{A_UUID}"),
    _cursor(f"9999-12-31T23:59:59-14:00|{A_UUID}"),
    _cursor(f"0.04|0001-01-01T00:00:00+14:00|{A_UUID}"),
    _cursor("\x00|\x00|\x00"),
]


# One of each kind, for Django's own admin pages and the htmx variant of a page.
SHORT = [
    "",
    "-1",
    "9999",
    "\u00b2",
    "-9223372036854775809",
    str(2**70),
    "1e999999",
    "NaN",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "a\x00b",
    "x" * 5000,
    "\u200b",
    '"*',
]


def _queries(name: str, values: Sequence[str]) -> list[str]:
    """Each hostile value of one parameter, as a query string; then the shapes urlencode
    cannot write: bytes that are not UTF-8, a repeated parameter, a name without a value."""
    queries = [urlencode({name: value}) for value in values]
    return [
        *queries,
        f"{quote(name)}=%FF%FE%00",
        f"{quote(name)}=1&{quote(name)}=9999-12-31&{quote(name)}=NaN",
        quote(name),
        f"{quote(name)}[]=1",
    ]


def _all_at_once(names: list[str]) -> list[str]:
    return [urlencode(dict.fromkeys(names, value)) for value in ("9999-12-31", "NaN", "a\x00b")]


# --- the pages ----------------------------------------------------------------------------
GALLERY = list(GalleryFilterForm.base_fields)
SPEND = list(SpendFilterForm.base_fields)
UNKNOWN = ["unknown"]  # a page that reads no parameter still gets one


@dataclass(frozen=True)
class Page:
    role: str  # "designer", "staff" or "superuser"
    kwargs: str  # which URL arguments it takes (see _kwargs)
    params: list[str]
    htmx: bool = False  # fed SHORT once more as an htmx request (it renders a partial then)
    # Every value; SHORT where another page already reads the same form the same way.
    values: tuple[str, ...] = tuple(HOSTILE)


def _like(page: Page) -> Page:
    """A page parsing the same parameters as one fed every value: one of each kind will do."""
    return replace(page, values=tuple(SHORT), htmx=False)


# Parameters read straight from request.GET (grep `request.GET`) are listed by hand.
PAGES: dict[str, Page] = {
    "studio:index": Page("designer", "", ["remix"]),
    "gallery:detail": Page("designer", "pk", ["view"], htmx=True),
    "generations:status": Page("designer", "pk", ["u", "t", "in"], htmx=True),
    "generations:download": Page("designer", "file", UNKNOWN),
    "generations:media": Page("designer", "media", UNKNOWN),
    "gallery:index": Page("designer", "", GALLERY, htmx=True),
    "gallery:collection": _like(Page("designer", "collection", GALLERY)),
    "gallery:trash": Page("designer", "", UNKNOWN),
    "gallery:collections": Page("designer", "", UNKNOWN),
    "spend:overview": Page("staff", "", SPEND),
    "spend:generations": _like(Page("staff", "", SPEND)),
    "spend:ledger": _like(Page("staff", "", SPEND)),
    "spend:budgets": _like(Page("staff", "", SPEND)),
    **{f"spend:export:{table}": _like(Page("staff", "export", SPEND)) for table in EXPORTS},
    "spend:export:generations": Page("staff", "export", SPEND),
    "login": Page("anonymous", "", ["next", "username"]),
    "password_change": Page("designer", "", UNKNOWN),
    "password_change_done": Page("designer", "", UNKNOWN),
    "password_reset": Page("anonymous", "", UNKNOWN),
    "password_reset_done": Page("anonymous", "", UNKNOWN),
    "password_reset_confirm": Page("anonymous", "reset", UNKNOWN),
    "password_reset_complete": Page("anonymous", "", UNKNOWN),
    "admin:index": Page("superuser", "", UNKNOWN),
    "admin:login": Page("anonymous", "", ["next"]),
}
# POST-only pages: their query strings are not read.
POST_ONLY = {
    "studio:submit",
    "studio:retry",
    "gallery:bulk",
    "gallery:collection_rename",
    "gallery:favourite",
    "gallery:delete",
    "gallery:restore",
    "gallery:verify",
    "spend:topup",
    "spend:sync",
    "logout",
}


def test_every_page_is_fed_hostile_params():
    names = {
        name
        for name in url_names()
        if not name.startswith(("admin:", "sandbox:"))  # the admin's pages: see below
    }
    covered = {
        name.rsplit(":", 1)[0] if name.startswith("spend:export:") else name for name in PAGES
    }
    assert names - covered - POST_ONLY == set(), "new pages: give each a row in PAGES"


# --- the people and the data the pages show -----------------------------------------------
@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def studio(alice, carol, django_user_model, alices_generation):
    """A generation, a collection and a top-up, so every page has rows to filter."""
    Collection.objects.create(name="Moodboard", created_by=alice).generations.add(
        alices_generation, through_defaults={"added_by": alice}
    )
    TopUp.objects.create(amount_eur="5.000000", note="=1+1")
    root = django_user_model.objects.create_superuser("dora", password="dora-pass-123")
    return {"designer": alice, "staff": carol, "superuser": root}


def _kwargs(kind: str, generation: Generation) -> dict:
    file = generation.images.get().files.get()
    return {
        "": {},
        "pk": {"pk": generation.pk},
        "file": {"pk": generation.pk, "position": 0, "fmt": "png"},
        "media": {"name": file.storage_name},
        "collection": {"pk": Collection.objects.get().pk},
        "reset": {"uidb64": "MQ", "token": "set-password"},
    }[kind]


def _url(name: str, page: Page, generation: Generation) -> str:
    if name.startswith("spend:export:"):
        return reverse("spend:export", args=[name.rsplit(":", 1)[1]])
    return reverse(name, kwargs=_kwargs(page.kwargs, generation))


def _server_errors(client: Client, url: str, queries: list[str], headers=None) -> list[str]:
    """Each query that made the page fail, with what went wrong."""
    wrong = []
    for query in queries:
        try:
            status = client.get(f"{url}?{query}", headers=headers).status_code
        except Exception as exc:  # the test client re-raises a view's exception
            wrong.append(f"{url}?{query[:120]}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if status >= 500:
            wrong.append(f"{url}?{query[:120]}: {status}")
    return wrong


@pytest.mark.parametrize("name", list(PAGES))
def test_no_hostile_value_of_any_param_makes_a_page_fail(name, studio, alices_generation):
    page = PAGES[name]
    client = Client()
    if page.role != "anonymous":
        client.force_login(studio[page.role])
    url = _url(name, page, alices_generation)
    queries = [query for param in page.params for query in _queries(param, page.values)]
    queries += _all_at_once(page.params)
    wrong = _server_errors(client, url, queries)
    if page.htmx:
        short = [query for param in page.params for query in _queries(param, SHORT)]
        wrong += _server_errors(client, url, short, {"HX-Request": "true"})
    assert wrong == []


# --- the admin site: every model's list, with its own search, order and filters -----------
# The list's own parameters, the same on every model: fed once, on the generations' list.
ADMIN_LIST_PARAMS = ["p", "e", "all", "_to_field", "_popup"]


def _admin_params(model_admin, superuser) -> list[str]:
    """What this model's list reads besides ADMIN_LIST_PARAMS: search, order, its filters and
    its date drill-down."""
    request = RequestFactory().get("/")
    request.user = superuser
    changelist = model_admin.get_changelist_instance(request)
    params = ["o", *(["q"] if model_admin.search_fields else [])]
    for spec in changelist.filter_specs:
        params += spec.expected_parameters()
    if model_admin.date_hierarchy:
        params += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return params


def _admin_list_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


ADMIN_MODELS = {model._meta.label_lower: model for model in admin.site._registry}


@pytest.mark.parametrize("label", list(ADMIN_MODELS))
def test_no_hostile_value_makes_an_admin_list_fail(label, studio):
    model = ADMIN_MODELS[label]
    client = Client()
    client.force_login(studio["superuser"])
    params = _admin_params(admin.site._registry[model], studio["superuser"])
    queries = [query for param in params for query in _queries(param, SHORT)]
    assert _server_errors(client, _admin_list_url(model), queries + _all_at_once(params)) == []


def test_no_hostile_value_of_the_list_params_makes_the_admin_fail(studio):
    client = Client()
    client.force_login(studio["superuser"])
    queries = [query for param in ADMIN_LIST_PARAMS for query in _queries(param, SHORT)]
    assert _server_errors(client, _admin_list_url(Generation), queries) == []
