from django.urls import path

from . import views

app_name = "gallery"

urlpatterns = [
    path("", views.index, name="index"),
    path("bulk", views.bulk, name="bulk"),
    path("trash/", views.trash, name="trash"),
    path("collections/", views.collections, name="collections"),
    path("collections/<int:pk>/", views.collection, name="collection"),
    path("collections/<int:pk>/rename", views.collection_rename, name="collection_rename"),
    path("g/<uuid:pk>/favourite", views.favourite, name="favourite"),
    path("g/<uuid:pk>/delete", views.delete, name="delete"),
    path("g/<uuid:pk>/restore", views.restore, name="restore"),
    path("g/<uuid:pk>/verify", views.verify, name="verify"),
]
