"""The studio's URLs plus two views doing nothing, behind the same middleware.

`/bare` touches no database; `/bare-login` only asks who is logged in (the session and user
look-ups every logged-in page pays), so the poll can be compared with both floors.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from depicta_web.urls import urlpatterns as studio


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bare", bare),
    path("bare-login", login_required(bare)),
    *studio,
]
