from django.urls import path

from . import views

app_name = "gallery"

urlpatterns = [
    # An image's own page (and the lightbox): what it is, where it came from, where it is kept.
    path("g/<uuid:pk>/", views.detail, name="detail"),
    path("gallery/", views.index, name="index"),
    path("gallery/bulk", views.bulk, name="bulk"),
    path("gallery/trash/", views.trash, name="trash"),
    path("gallery/collections/", views.collections, name="collections"),
    path("gallery/collections/<int:pk>/", views.collection, name="collection"),
    path("gallery/collections/<int:pk>/rename", views.collection_rename, name="collection_rename"),
    path("gallery/g/<uuid:pk>/favourite", views.favourite, name="favourite"),
    path("gallery/g/<uuid:pk>/delete", views.delete, name="delete"),
    path("gallery/g/<uuid:pk>/restore", views.restore, name="restore"),
    path("gallery/g/<uuid:pk>/verify", views.verify, name="verify"),
]
