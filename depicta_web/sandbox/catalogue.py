"""The sandbox's models and their prices (shape: contract "GET /v1/models and /v1/pricing").

Between them the six models show every variant the documented shape allows: sizes named in
`image_sizes`, ratios listed in `aspect_ratios`, shapes given as `fixed_sizes`, generate-only
models, a combine cap, multi-turn support, and two budget models.

Prices depend on the model and the image size. The hold placed at submit is the list price for
the size; the actual charge scales a tenth of it by the share of the square's pixels the aspect
ratio fills, so 1:1 costs exactly the list price and wider or taller pictures a little less.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from math import gcd
from typing import Any

from depicta_web.depicta.schema import (
    ASPECT_RATIOS,
    IMAGE_FORMATS,
    IMAGE_SIZES,
    MONEY_PLACES,
    format_money,
)

from .painting import pixel_size

DEFAULT_ASPECT_RATIO = "1:1"
DEFAULT_IMAGE_SIZE = "1K"
DISCLAIMER = (
    "Prices are approximate, for a 1K image; each image is charged its actual cost. "
    "Sandbox: no real money."
)


@dataclass(frozen=True)
class ImageModel:
    id: str
    alias: str
    name: str
    description: str
    prices: dict[str, Decimal]  # image size -> list price in EUR: the sizes it makes
    operations: tuple[str, ...]
    # Listed as Depicta's reference lists them: a model names its sizes in `image_sizes`, or
    # its ratios in `aspect_ratios`, or its shapes in `fixed_sizes`; an empty list says nothing.
    names_its_sizes: bool = False
    aspect_ratios: tuple[str, ...] = ()
    fixed_sizes: tuple[str, ...] = ()
    max_combine_inputs: int = 0  # 0: only the API-wide cap of 5
    max_characters: int = 0  # story characters; 0: not applicable
    supports_multiturn: bool = False
    budget: bool = False

    @property
    def sizes_offered(self) -> tuple[str, ...]:
        """The sizes a request may ask for: those it has a price for."""
        return tuple(size for size in IMAGE_SIZES if size in self.prices)

    @property
    def image_sizes(self) -> tuple[str, ...]:
        return self.sizes_offered if self.names_its_sizes else ()

    @property
    def ratios_offered(self) -> tuple[str, ...]:
        """The aspect ratios a request may ask for: those of its fixed sizes, else those it
        lists, else all of them."""
        if self.fixed_sizes:
            shapes = {_ratio_of(size) for size in self.fixed_sizes}
            return tuple(ratio for ratio in ASPECT_RATIOS if ratio in shapes)
        return self.aspect_ratios or ASPECT_RATIOS

    def can(self, operation: str) -> bool:
        return operation in self.operations

    @property
    def price_eur(self) -> Decimal:
        """The advertised price: a 1K picture."""
        return self.prices[DEFAULT_IMAGE_SIZE]

    def to_json(self) -> dict[str, Any]:
        """An entry of GET /v1/models as Depicta documents it, plus `alias` and `budget`."""
        return {
            "id": self.id,
            "alias": self.alias,
            "name": self.name,
            "description": self.description,
            "approximate_cost_eur": format_money(self.price_eur),
            "can_generate": self.can("generate"),
            "can_edit": self.can("edit"),
            "operations": list(self.operations),
            "aspect_ratios": list(self.aspect_ratios),
            "image_sizes": list(self.image_sizes),
            "fixed_sizes": list(self.fixed_sizes),
            "output_formats": list(IMAGE_FORMATS),
            "max_combine_inputs": self.max_combine_inputs,
            "max_characters": self.max_characters,
            "supports_multiturn": self.supports_multiturn,
            "budget": self.budget,
        }

    def to_legacy_json(self) -> dict[str, Any]:
        """The older working-assumption entry, for DEPICTA_SANDBOX_MODELS_SHAPE=legacy."""
        return {
            "id": self.id,
            "alias": self.alias,
            "name": self.name,
            "price_eur": format_money(self.price_eur),
            "prices_eur": {size: format_money(self.prices[size]) for size in self.sizes_offered},
            "capabilities": list(self.operations),
            "budget": self.budget,
            "image_sizes": list(self.sizes_offered),
        }


def _ratio_of(fixed_size: str) -> str:
    """`"1536x1024"` -> `"3:2"`."""
    width, height = (int(side) for side in fixed_size.split("x"))
    divisor = gcd(width, height)
    return f"{width // divisor}:{height // divisor}"


def _prices(*list_prices: str) -> dict[str, Decimal]:
    """Prices for 1K, 2K and, when given, 4K."""
    return {size: Decimal(price) for size, price in zip(IMAGE_SIZES, list_prices, strict=False)}


ALL_OPERATIONS = ("generate", "edit", "combine")
GENERATE_ONLY = ("generate",)
WITHOUT_21_9 = tuple(ratio for ratio in ASPECT_RATIOS if ratio != "21:9")

# The first entry is what a client picking "the first model" gets, and what a request without
# a model gets (credits.model_choose).
MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        "flux-pro", "flux", "FLUX Pro",
        "Photorealistic images with fine detail; edits, combines and tells stories.",
        _prices("0.045", "0.065", "0.120"), ALL_OPERATIONS,
        names_its_sizes=True, max_characters=10, supports_multiturn=True,
    ),
    ImageModel(
        "imagen-ultra", "imagen", "Imagen Ultra",
        "Crisp photographs and typography in any of the ten aspect ratios.",
        _prices("0.060", "0.090", "0.150"), GENERATE_ONLY,
        aspect_ratios=ASPECT_RATIOS,
    ),
    ImageModel(
        "ideogram-v3", "ideogram", "Ideogram 3",
        "Posters and graphics with legible text; no ultra-wide pictures.",
        _prices("0.080", "0.110"), ALL_OPERATIONS,
        aspect_ratios=WITHOUT_21_9,
    ),
    ImageModel(
        "seedream-4", "seedream", "Seedream 4",
        "Fast, consistent characters across scenes; combines at most two images.",
        _prices("0.030", "0.040", "0.070"), ALL_OPERATIONS,
        names_its_sizes=True, max_combine_inputs=2, max_characters=10, supports_multiturn=True,
    ),
    ImageModel(
        "sdxl-lite", "sdxl", "SDXL Lite",
        "A budget model in three fixed shapes: square, landscape and portrait.",
        _prices("0.010", "0.018"), ALL_OPERATIONS,
        fixed_sizes=("1024x1024", "1536x1024", "1024x1536"), budget=True,
    ),
    ImageModel(
        "flux-schnell", "schnell", "FLUX Schnell",
        "The cheapest drafts, in any aspect ratio; generate only.",
        _prices("0.003", "0.006"), GENERATE_ONLY,
        aspect_ratios=ASPECT_RATIOS, budget=True,
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
    return IMAGE_SIZES.index(image_size) <= IMAGE_SIZES.index(limit)
