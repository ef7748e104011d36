"""Refuses log-in attempts (the studio's and the admin's) while a username or address is locked,
and password-reset requests likewise.

The auth views stay Django's own: this only stands in front of their POSTs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from .limits import client_address, login_failure_record, login_wait_seconds


class LoginThrottleMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path in _paths("login", "admin:login"):
            wait = login_wait_seconds(
                username=request.POST.get("username", ""), address=client_address(request)
            )
            if wait:
                return _refused(request, wait)
        if request.method == "POST" and request.path in _paths("password_reset"):
            return self._password_reset(request)
        return self.get_response(request)

    def _password_reset(self, request: HttpRequest) -> HttpResponse:
        """Each request may send mail and proves nothing, so each counts as a failed log-in
        for its e-mail address (and the client's address)."""
        email, address = request.POST.get("email", ""), client_address(request)
        wait = login_wait_seconds(username=email, address=address)
        if wait:
            return _reset_refused(request, wait)
        login_failure_record(username=email, address=address)
        return self.get_response(request)


def _paths(*names: str) -> set[str]:
    paths = set()
    for name in names:
        with suppress(NoReverseMatch):  # not mounted (the sandbox served alone mounts neither)
            paths.add(reverse(name))
    return paths


def _wait_words(wait: int) -> str:
    minutes = max(1, round(wait / 60))
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def _too_many(response: HttpResponse, wait: int) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


def _refused(request: HttpRequest, wait: int) -> HttpResponse:
    # Unbound: the password is not even checked (checking would count another failure).
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(None, f"Too many failed log-ins. {_wait_words(wait)}")
    response = render(
        request, "registration/login.html", {"form": form, "next": request.POST.get("next", "")}
    )
    return _too_many(response, wait)


def _reset_refused(request: HttpRequest, wait: int) -> HttpResponse:
    form = PasswordResetForm(initial={"email": request.POST.get("email", "")})
    form.full_clean()
    form.cleaned_data = {}
    # On the field: Django's reset page shows no form-wide errors.
    form.add_error("email", f"Too many reset requests. {_wait_words(wait)}")
    context = {"form": form, "title": "Password reset"}
    response = render(request, "registration/password_reset_form.html", context)
    return _too_many(response, wait)
