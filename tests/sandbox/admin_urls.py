"""A URLconf with only the admin, so the admin action is tested without the studio's URLs."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
