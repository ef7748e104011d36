"""The models a designer can pick, from GET /v1/models of the configured API, cached."""

import logging

from django.conf import settings
from django.core.cache import cache

from depicta_web.depicta import DepictaError
from depicta_web.depicta.configured import depicta_client
from depicta_web.depicta.schema import ModelList

logger = logging.getLogger(__name__)

_FRESH_KEY = "depicta:models:v2:fresh"
_LAST_KNOWN_KEY = "depicta:models:v2:last-known"


class CatalogueUnavailable(Exception):
    """The model list could not be fetched and no earlier copy is known."""


def models_available() -> ModelList:
    """Fresh from the cache, else from the API; on an API failure, the last list we saw."""
    models = cache.get(_FRESH_KEY)
    if models is not None:
        return models
    try:
        with depicta_client() as client:
            models = client.list_models()
    except DepictaError as exc:
        logger.warning("GET /v1/models failed: %s", exc)
        last_known = cache.get(_LAST_KNOWN_KEY)
        if last_known is None:
            raise CatalogueUnavailable(str(exc)) from exc
        return last_known
    cache.set(_FRESH_KEY, models, settings.DEPICTA_MODELS_CACHE_SECONDS)
    cache.set(_LAST_KNOWN_KEY, models, None)
    return models
