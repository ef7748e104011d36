"""What an image will cost: learned from this team's own charges, else Depicta's figure.

Depicta's catalogue gives one `approximate_cost_eur` per model, whatever the size; the charge
Depicta answers with (`cost_eur`) is exact. Once the team has paid for enough images of one
model and size, those charges are the better guess. Budgets reserve the higher of the two, so
a low guess never lets a designer overspend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from depicta_web.depicta.schema import ModelInfo
from depicta_web.lib.money import price_text

from .models import Generation

# How many recent charges of one model and size it takes to trust them over the catalogue.
LEARN_FROM = 10
UNKNOWN = "price unknown until the first image"


@dataclass(frozen=True)
class PriceEstimate:
    catalogue: Decimal | None  # the API's figure for the size (approximate)
    learned: Decimal | None  # the most one of the team's last LEARN_FROM charges cost

    @property
    def shown(self) -> Decimal | None:
        return self.learned if self.learned is not None else self.catalogue

    @property
    def reserve(self) -> Decimal | None:
        """What budgets hold for the image: the higher of the two figures."""
        known = [amount for amount in (self.catalogue, self.learned) if amount is not None]
        return max(known, default=None)

    @property
    def label(self) -> str:
        if self.learned is not None:
            return f"up to {price_text(self.learned)}"
        if self.catalogue is not None:
            return f"≈ {price_text(self.catalogue)}"
        return UNKNOWN


def charges_recent(*, model: str, image_size: str) -> list[Decimal]:
    """The team's latest charges for this model and size, newest first."""
    charged = Generation.objects.filter(model=model, image_size=image_size).exclude(cost_eur=None)
    costs = charged.order_by("-responded_at").values_list("cost_eur", flat=True)[:LEARN_FROM]
    return [cost for cost in costs if cost is not None]


def price_estimate(*, model: ModelInfo, image_size: str) -> PriceEstimate:
    recent = charges_recent(model=model.key, image_size=image_size)
    return PriceEstimate(
        catalogue=model.price_for(image_size),
        learned=max(recent) if len(recent) >= LEARN_FROM else None,
    )


def price_estimates(models: Iterable[ModelInfo], image_size: str) -> dict[str, PriceEstimate]:
    """Each model's estimate for one size, keyed by what the form sends as `model`."""
    return {model.key: price_estimate(model=model, image_size=image_size) for model in models}
