from django.apps import AppConfig
from django.db.models.signals import post_migrate


class GalleryConfig(AppConfig):
    name = "depicta_web.gallery"
    label = "gallery"

    def ready(self) -> None:
        post_migrate.connect(_search_index_ensure, sender=self)


def _search_index_ensure(sender, using: str = "default", **kwargs) -> None:
    # Here, not at the top: search.py imports models, which apps.py may not at import time.
    from .search import search_index_ensure

    search_index_ensure(using=using)
