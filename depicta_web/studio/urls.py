from django.urls import path

from . import views

app_name = "studio"

urlpatterns = [
    path("", views.index, name="index"),
    path("generations/new", views.submit, name="submit"),
    path("g/<uuid:pk>/retry", views.retry, name="retry"),
]
