from django.urls import path

from . import views

app_name = "generations"

urlpatterns = [
    path("g/<uuid:pk>/status", views.status, name="status"),
    path("g/<uuid:pk>/<int:position>.<str:fmt>", views.download, name="download"),
    path("media/<path:name>", views.media, name="media"),
]
