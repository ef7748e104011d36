from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("depicta_web.gallery.urls")),
    path("spend/", include("depicta_web.spend.urls")),
    path("", include("depicta_web.studio.urls")),
    path("", include("depicta_web.generations.urls")),
]
if settings.DEPICTA_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("depicta_web.sandbox.urls")))
