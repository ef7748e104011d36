"""Refuses log-in attempts (the studio's and the admin's) while a username or address is locked.

The auth views stay Django's own: this only stands in front of their POSTs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from .limits import client_address, login_wait_seconds


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _login_paths():
            wait = login_wait_seconds(
                username=request.POST.get("username", ""), address=client_address(request)
            )
            if wait:
                return _refused(request, wait)
        return self.get_response(request)


def _login_paths() -> set[str]:
    paths = set()
    for name in ("login", "admin:login"):
        with suppress(NoReverseMatch):  # not mounted (the sandbox served alone mounts neither)
            paths.add(reverse(name))
    return paths


def _refused(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = max(1, round(wait / 60))
    # Unbound: the password is not even checked (checking would count another failure).
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(
        None,
        f"Too many failed log-ins. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
    )
    response = render(
        request, "registration/login.html", {"form": form, "next": request.POST.get("next", "")}
    )
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
