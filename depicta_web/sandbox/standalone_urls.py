"""ROOT_URLCONF for the sandbox served alone (`make sandbox`): only /sandbox/."""

from django.urls import include, path

urlpatterns = [path("sandbox/", include("depicta_web.sandbox.urls"))]
