from django.urls import path

from . import views

app_name = "generations"

urlpatterns = [
    path("", views.index, name="index"),
    path("generations/new", views.submit, name="submit"),
    path("g/<uuid:pk>/", views.detail, name="detail"),
    path("g/<uuid:pk>/status", views.status, name="status"),
    path("g/<uuid:pk>/retry", views.retry, name="retry"),
    path("g/<uuid:pk>/<int:position>.<str:fmt>", views.download, name="download"),
    path("media/<path:name>", views.media, name="media"),
]
