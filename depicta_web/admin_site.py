"""The admin site: Django's own, with its lists' parameters checked first.

Two kinds of link make Django's admin lists fail with a 500 rather than refuse: a date
drill-down (`?created_at__year=`) of year 9999 or past 64 bits (an OverflowError or ValueError
Django does not catch), and a NUL character in a search or filter, which PostgreSQL refuses in
any text. Both are answered 400 with a plain reason.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpResponseBadRequest, QueryDict

DRILL_DOWN = {"__year": (1, 9998), "__month": (1, 12), "__day": (1, 31)}


class StudioAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def guarded(request, *args, **kwargs):
            problem = query_problem(request.GET)
            if problem:
                return HttpResponseBadRequest(problem, content_type="text/plain; charset=utf-8")
            return checked(request, *args, **kwargs)

        return guarded


def query_problem(params: QueryDict) -> str:
    """Why the admin could not take these parameters; empty when it can."""
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return "The address holds a NUL character, which no field can hold."
        if not _drill_down_is_a_date(key, values):
            return "That date is not in the calendar."
    return ""


def _drill_down_is_a_date(key: str, values: list[str]) -> bool:
    for suffix, (lowest, highest) in DRILL_DOWN.items():
        if key.endswith(suffix) and not all(_within(v, lowest, highest) for v in values):
            return False
    return True


def _within(value: str, lowest: int, highest: int) -> bool:
    return (
        value.isascii() and value.isdigit() and len(value) <= 4 and lowest <= int(value) <= highest
    )


class StudioAdminConfig(AdminConfig):
    default_site = "depicta_web.admin_site.StudioAdminSite"
