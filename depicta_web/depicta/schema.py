"""Typed shapes of Depicta's requests and responses, parsed tolerantly.

Every parser accepts unknown fields and missing optional ones, as the contract asks: the
real API may add fields, and the docs' own examples omit some (`model`, `image_url`, hashes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# Contract: "POST /v1/generate/image", request body table.
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_SIZES = ("1K", "2K", "4K")
STRICTNESS_MODES = ("normal", "liberal")
MAX_REFERENCE_IMAGES = 5
# Not stated by Depicta; working assumption written in docs/decisions.md.
PROMPT_MAX_CHARS = 4000
IMAGE_FORMATS = ("png", "jpeg", "webp")
MONEY_PLACES = Decimal("0.000001")

JOB_STATUSES = ("pending", "processing", "completed", "failed")


def parse_money(value: Any) -> Decimal | None:
    """A 6-decimal EUR string (`"0.045000"`) as a Decimal; never goes through float."""
    if value is None or isinstance(value, float):
        # A float would already have lost precision; the contract sends strings.
        return None if value is None else Decimal(str(value)).quantize(MONEY_PLACES)
    try:
        return Decimal(str(value)).quantize(MONEY_PLACES)
    except InvalidOperation:
        return None


def format_money(value: Decimal) -> str:
    return str(value.quantize(MONEY_PLACES))


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def format_time(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ReferenceImage:
    url: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "description": self.description}


@dataclass(frozen=True)
class GenerateRequest:
    prompt: str
    model: str
    aspect_ratio: str | None = None
    image_size: str | None = None
    strictness: str | None = None
    reference_images: tuple[ReferenceImage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": self.prompt, "model": self.model}
        for name in ("aspect_ratio", "image_size", "strictness"):
            if (value := getattr(self, name)) is not None:
                body[name] = value
        if self.reference_images:
            body["reference_images"] = [ref.to_json() for ref in self.reference_images]
        return body


@dataclass(frozen=True)
class ImageVariant:
    """One format of one image: a signed URL (1 hour) and, when given, its hash and size."""

    format: str
    url: str
    hash: str | None = None
    size_bytes: int | None = None
    expires_at: datetime | None = None

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> ImageVariant | None:
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            return None
        size = data.get("size_bytes")
        return cls(
            format=str(data.get("format") or key).lower(),
            url=data["url"],
            hash=(data.get("hash") or None) and str(data["hash"]).lower(),
            size_bytes=size if isinstance(size, int) and size >= 0 else None,
            expires_at=parse_time(data.get("expires_at")),
        )


@dataclass(frozen=True)
class ResultImage:
    """One picture of a result, in every format Depicta offered for it (keyed png/jpeg/webp)."""

    position: int
    variants: dict[str, ImageVariant]
    title: str = ""

    @property
    def png_hash(self) -> str | None:
        png = self.variants.get("png")
        return png.hash if png else None


def _variants(
    formats: Any, png_url: Any, png_hash: Any, expires_at: Any
) -> dict[str, ImageVariant]:
    variants: dict[str, ImageVariant] = {}
    if isinstance(formats, dict):
        for key, data in formats.items():
            if variant := ImageVariant.from_json(str(key).lower(), data):
                variants[variant.format] = variant
    if isinstance(png_url, str) and png_url:
        known = variants.get("png")
        variants["png"] = ImageVariant(
            format="png",
            url=png_url,
            hash=(str(png_hash).lower() if png_hash else None) or (known.hash if known else None),
            size_bytes=known.size_bytes if known else None,
            expires_at=(known.expires_at if known else None) or parse_time(expires_at),
        )
    elif png_hash and "png" in variants and not variants["png"].hash:
        old = variants["png"]
        variants["png"] = ImageVariant(
            "png", old.url, str(png_hash).lower(), old.size_bytes, old.expires_at
        )
    return variants


@dataclass(frozen=True)
class GenerateResult:
    """The synchronous answer of POST /v1/generate/image, also found in a completed job."""

    id: str
    ai_generated: bool
    model: str | None
    cost_eur: Decimal | None
    balance_eur: Decimal | None
    images: tuple[ResultImage, ...]
    title: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GenerateResult:
        images: list[ResultImage] = []
        single = _variants(data.get("formats"), data.get("image_url"), data.get("image_hash"), None)
        if single:
            images.append(ResultImage(position=1, variants=single))
        # Multi-image operations (combine): parallel arrays of PNG URLs and hashes.
        urls = data.get("image_urls") if isinstance(data.get("image_urls"), list) else []
        hashes = data.get("image_hashes") if isinstance(data.get("image_hashes"), list) else []
        for i, url in enumerate(urls):
            if isinstance(url, str) and url not in {
                v.url for im in images for v in im.variants.values()
            }:
                digest = hashes[i] if i < len(hashes) else None
                images.append(ResultImage(len(images) + 1, _variants(None, url, digest, None)))
        # Stories: one image per scene, each with its own formats.
        for scene in data.get("scenes") or []:
            if not isinstance(scene, dict):
                continue
            variants = _variants(
                scene.get("formats"),
                scene.get("image_url"),
                scene.get("image_hash"),
                scene.get("expires_at"),
            )
            if variants:
                images.append(ResultImage(len(images) + 1, variants, str(scene.get("title") or "")))
        return cls(
            id=str(data.get("id") or ""),
            ai_generated=bool(data.get("ai_generated", True)),
            model=data.get("model") if isinstance(data.get("model"), str) else None,
            cost_eur=parse_money(data.get("cost_eur")),
            balance_eur=parse_money(data.get("balance_eur")),
            images=tuple(images),
            title=str(data.get("title") or ""),
            raw=data,
        )


@dataclass(frozen=True)
class ModelInfo:
    """An entry of GET /v1/models or /v1/pricing (shape: working assumption of the contract)."""

    id: str
    alias: str
    name: str
    price_eur: Decimal | None
    capabilities: tuple[str, ...] = ("generate",)
    budget: bool = False
    image_sizes: tuple[str, ...] = ("1K", "2K")
    # Per image size, when the API gives them (the sandbox does; the contract's shape has only
    # `price_eur`, which then stands for every size).
    prices_eur: dict[str, Decimal] = field(default_factory=dict, compare=False)

    def price_for(self, image_size: str | None) -> Decimal | None:
        return self.prices_eur.get(image_size or "", self.price_eur)

    @property
    def key(self) -> str:
        """What to send as `model`: the id, or the alias when no id is given."""
        return self.id or self.alias

    @classmethod
    def from_json(cls, data: Any) -> ModelInfo | None:
        if not isinstance(data, dict) or not (data.get("id") or data.get("alias")):
            return None
        sizes = data.get("image_sizes")
        caps = data.get("capabilities")
        return cls(
            id=str(data.get("id") or ""),
            alias=str(data.get("alias") or ""),
            name=str(data.get("name") or data.get("id") or data.get("alias")),
            price_eur=parse_money(data.get("price_eur", data.get("price"))),
            capabilities=tuple(str(c) for c in caps) if isinstance(caps, list) else ("generate",),
            budget=bool(data.get("budget", False)),
            image_sizes=tuple(str(s) for s in sizes) if isinstance(sizes, list) else ("1K", "2K"),
            prices_eur=_prices(data.get("prices_eur")),
        )


def _prices(data: Any) -> dict[str, Decimal]:
    if not isinstance(data, dict):
        return {}
    parsed = {str(size): parse_money(price) for size, price in data.items()}
    return {size: price for size, price in parsed.items() if price is not None}


def parse_models(data: Any) -> list[ModelInfo]:
    """`{"models": [...]}` or a bare list; entries without an id or alias are skipped."""
    entries = data.get("models") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return []
    return [model for entry in entries if (model := ModelInfo.from_json(entry))]


@dataclass(frozen=True)
class JobError:
    code: str
    message: str


@dataclass(frozen=True)
class Job:
    """An entry of GET /v1/jobs or the body of GET /v1/jobs/{id}."""

    job_id: str
    status: str
    created_at: datetime | None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: JobError | None = None
    result: GenerateResult | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in ("completed", "failed")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        error = data.get("error")
        result = data.get("result")
        return cls(
            job_id=str(data.get("job_id") or data.get("id") or ""),
            status=str(data.get("status") or "pending"),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            error=JobError(str(error.get("code") or ""), str(error.get("message") or ""))
            if isinstance(error, dict)
            else None,
            result=GenerateResult.from_json(result) if isinstance(result, dict) else None,
            raw=data,
        )


@dataclass(frozen=True)
class JobPage:
    jobs: tuple[Job, ...]
    limit: int
    offset: int
    total: int

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobPage:
        entries = data.get("generations") or []
        jobs = tuple(Job.from_json(e) for e in entries if isinstance(e, dict))
        return cls(
            jobs=jobs,
            limit=int(data.get("limit") or len(jobs)),
            offset=int(data.get("offset") or 0),
            total=int(data.get("total") or len(jobs)),
        )
