"""The Depicta API client: typed requests and results, typed errors, no Django models or views.

Contract: ../shared/depicta-api.md (written from Depicta's public docs). Both this client and
the bundled sandbox follow it; the client stays tolerant wherever the contract says "not stated".
"""

from .client import DepictaClient
from .errors import DepictaAPIError, DepictaError, DepictaTransportError

__all__ = ["DepictaAPIError", "DepictaClient", "DepictaError", "DepictaTransportError"]
