"""The sandbox's models and their prices (shape: the contract's working assumption).

Prices depend on the model and the image size. The hold placed at submit is the list price for
the size; the actual charge scales a tenth of it by the share of the square's pixels the aspect
ratio fills, so 1:1 costs exactly the list price and wider or taller pictures a little less.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from depicta_web.depicta.schema import MONEY_PLACES, format_money

from .render import pixel_size

DEFAULT_ASPECT_RATIO = "1:1"
DEFAULT_IMAGE_SIZE = "1K"
SIZE_ORDER = ("1K", "2K", "4K")


@dataclass(frozen=True)
class ImageModel:
    id: str
    alias: str
    name: str
    prices: dict[str, Decimal]  # image size -> list price in EUR
    capabilities: tuple[str, ...]
    budget: bool = False

    @property
    def image_sizes(self) -> tuple[str, ...]:
        return tuple(size for size in SIZE_ORDER if size in self.prices)

    @property
    def price_eur(self) -> Decimal:
        """The advertised price: a 1K picture."""
        return self.prices[DEFAULT_IMAGE_SIZE]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "alias": self.alias,
            "name": self.name,
            "price_eur": format_money(self.price_eur),
            "prices_eur": {size: format_money(self.prices[size]) for size in self.image_sizes},
            "capabilities": list(self.capabilities),
            "budget": self.budget,
            "image_sizes": list(self.image_sizes),
        }


def _prices(*list_prices: str) -> dict[str, Decimal]:
    """Prices for 1K, 2K and, when given, 4K."""
    return {size: Decimal(price) for size, price in zip(SIZE_ORDER, list_prices, strict=False)}


GENERATE_EDIT = ("generate", "edit")
GENERATE_ONLY = ("generate",)

# The first entry is what a client picking "the first model" gets.
MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        "flux-pro", "flux", "FLUX Pro", _prices("0.045", "0.065", "0.120"),
        GENERATE_EDIT,
    ),
    ImageModel(
        "imagen-ultra", "imagen", "Imagen Ultra", _prices("0.060", "0.090", "0.150"),
        GENERATE_ONLY,
    ),
    ImageModel(
        "ideogram-v3", "ideogram", "Ideogram 3", _prices("0.080", "0.110"),
        GENERATE_EDIT,
    ),
    ImageModel(
        "seedream-4", "seedream", "Seedream 4", _prices("0.030", "0.040", "0.070"),
        GENERATE_EDIT,
    ),
    ImageModel(
        "sdxl-lite", "sdxl", "SDXL Lite", _prices("0.010", "0.018"),
        GENERATE_EDIT, budget=True,
    ),
    ImageModel(
        "flux-schnell", "schnell", "FLUX Schnell", _prices("0.003", "0.006"),
        GENERATE_ONLY, budget=True,
    ),
)  # fmt: skip


def model_find(name: str) -> ImageModel | None:
    """A model by id or alias, ignoring case and surrounding spaces."""
    wanted = name.strip().lower()
    return next((m for m in MODELS if wanted in (m.id, m.alias)), None)


def cost_estimate(*, model: ImageModel, image_size: str) -> Decimal:
    """The hold placed at submit: the list price for the size."""
    return model.prices[image_size]


def cost_actual(*, model: ImageModel, image_size: str, aspect_ratio: str) -> Decimal:
    """The charge at completion: 90% of the list price plus 10% scaled by the pixels drawn."""
    width, height = pixel_size(aspect_ratio, image_size)
    side, _ = pixel_size(DEFAULT_ASPECT_RATIO, image_size)
    share = Decimal(width * height) / Decimal(side * side)
    price = model.prices[image_size]
    actual = price * (Decimal("0.9") + Decimal("0.1") * share)
    return min(price, actual.quantize(MONEY_PLACES, rounding=ROUND_HALF_UP))


def size_at_most(image_size: str, limit: str) -> bool:
    return SIZE_ORDER.index(image_size) <= SIZE_ORDER.index(limit)
