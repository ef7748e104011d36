"""Typed shapes of Depicta's requests and responses, parsed tolerantly.

Every parser accepts unknown fields and missing optional ones, as the contract asks: the
real API may add fields, and the docs' own examples omit some (`model`, `image_url`, hashes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from depicta_web.lib.money import MONEY_PLACES as MONEY_PLACES  # re-exported: a contract fact

# Contract: "POST /v1/generate/image", request body table.
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_SIZES = ("1K", "2K", "4K")
STRICTNESS_MODES = ("normal", "liberal")
MAX_REFERENCE_IMAGES = 5
# Not stated by Depicta; working assumption written in docs/decisions.md.
PROMPT_MAX_CHARS = 4000
IMAGE_FORMATS = ("png", "jpeg", "webp")
# Contract: "Signed URLs and formats".
MIME_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
# Contract: "Errors" and "POST /v1/generate/image": every accepted request names its job.
JOB_ID_HEADER = "X-Depicta-Job-Id"

# Contract: "Credits". From EUR 0.50 every model and size; from EUR 0.01 budget models only, at
# most 2K; below the estimated hold, 402.
ALL_MODELS_FROM = Decimal("0.50")
ANY_MODEL_FROM = Decimal("0.01")
LOW_BALANCE_MAX_SIZE = "2K"


class JobStatus(StrEnum):
    """Contract: "Jobs and recovery"."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


JOB_STATUSES = tuple(JobStatus)


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
    # Optional (contract): Depicta picks a capable model when none is sent.
    model: str | None = None
    aspect_ratio: str | None = None
    image_size: str | None = None
    strictness: str | None = None
    reference_images: tuple[ReferenceImage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"prompt": self.prompt}
        for name in ("model", "aspect_ratio", "image_size", "strictness"):
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
        urls = found if isinstance(found := data.get("image_urls"), list) else []
        hashes = found if isinstance(found := data.get("image_hashes"), list) else []
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


OPERATIONS = ("generate", "edit", "combine")
# Contract: "POST /v1/combine/...": 2 to 5 inputs, fewer where a model says so.
MAX_COMBINE_INPUTS = 5
# Contract: "Models": where `image_sizes` does not name 1K/2K/4K, the form offers these and
# lets Depicta's answer decide anything else.
DEFAULT_OFFERED_SIZES = ("1K", "2K")
# How far a fixed size's shape may be from a named ratio and still count as it (1344x768 is
# 16:9 to 1.6 %).
RATIO_TOLERANCE = 0.03


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _whole(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def ratio_of_size(size: str) -> str | None:
    """The named aspect ratio a fixed size such as `1536x1024` has, if any is close."""
    width, _, height = size.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) and int(height)):
        return None
    shape = int(width) / int(height)
    nearest = min(ASPECT_RATIOS, key=lambda ratio: abs(_ratio_value(ratio) - shape))
    return nearest if abs(_ratio_value(nearest) / shape - 1) <= RATIO_TOLERANCE else None


def _ratio_value(ratio: str) -> float:
    width, height = ratio.split(":")
    return int(width) / int(height)


def _operations(data: dict[str, Any]) -> tuple[str, ...]:
    """What a model can do: `operations`, else `can_generate`/`can_edit`, else the older
    `capabilities`, else generate only. Depicta: generate-only models cannot edit or combine."""
    if named := _strings(data.get("operations")):
        return tuple(op for op in OPERATIONS if op in named)
    if isinstance(data.get("can_generate"), bool) or isinstance(data.get("can_edit"), bool):
        can_edit = data.get("can_edit") is True
        flags = {"generate": data.get("can_generate", True) is not False, "edit": can_edit}
        flags["combine"] = can_edit
        return tuple(op for op in OPERATIONS if flags[op])
    if named := _strings(data.get("capabilities")):
        return tuple(named)
    return ("generate",)


@dataclass(frozen=True)
class ModelInfo:
    """An entry of GET /v1/models (contract: "GET /v1/models and /v1/pricing").

    Every documented field is kept as sent; the properties turn them into what a form may
    offer. The older sandbox keys (`price_eur`, `prices_eur`, `capabilities`) are still read.
    """

    id: str
    name: str
    alias: str = ""
    description: str = ""
    approximate_cost_eur: Decimal | None = None
    operations: tuple[str, ...] = ("generate",)
    aspect_ratios: tuple[str, ...] = ()
    image_sizes: tuple[str, ...] = ()
    fixed_sizes: tuple[str, ...] = ()
    output_formats: tuple[str, ...] = ()
    max_combine_inputs: int = 0
    max_characters: int = 0
    supports_multiturn: bool = False
    # Not documented: the sandbox adds it. None means "not stated": nothing is pre-filtered.
    budget: bool | None = None
    # Per image size, when a server gives them (the older sandbox shape did).
    prices_eur: dict[str, Decimal] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        """What to send as `model`: the id, or the alias when no id is given."""
        return self.id or self.alias

    @property
    def can_generate(self) -> bool:
        return "generate" in self.operations

    @property
    def can_edit(self) -> bool:
        return "edit" in self.operations

    @property
    def can_combine(self) -> bool:
        return "combine" in self.operations

    @property
    def sizes_named(self) -> bool:
        """Whether `image_sizes` speaks of 1K/2K/4K, so that a size it omits is refused."""
        return bool(self.image_sizes) and all(size in IMAGE_SIZES for size in self.image_sizes)

    @property
    def sizes_offered(self) -> tuple[str, ...]:
        if self.sizes_named:
            return tuple(size for size in IMAGE_SIZES if size in self.image_sizes)
        return DEFAULT_OFFERED_SIZES

    @property
    def ratios_offered(self) -> tuple[str, ...]:
        """`aspect_ratios` when it names known ratios, else those of `fixed_sizes`, else all."""
        for allowed in (set(self.aspect_ratios), {ratio_of_size(s) for s in self.fixed_sizes}):
            if offered := tuple(ratio for ratio in ASPECT_RATIOS if ratio in allowed):
                return offered
        return ASPECT_RATIOS

    @property
    def combine_inputs_max(self) -> int:
        return min(MAX_COMBINE_INPUTS, self.max_combine_inputs or MAX_COMBINE_INPUTS)

    def price_for(self, image_size: str | None) -> Decimal | None:
        """The server's figure for this size when it gives one, else its approximate cost."""
        return self.prices_eur.get(image_size or "", self.approximate_cost_eur)

    @classmethod
    def from_json(cls, data: Any) -> ModelInfo | None:
        if not isinstance(data, dict) or not (data.get("id") or data.get("alias")):
            return None
        cost = data.get("approximate_cost_eur", data.get("price_eur", data.get("price")))
        budget = data.get("budget")
        return cls(
            id=str(data.get("id") or ""),
            alias=str(data.get("alias") or ""),
            name=str(data.get("name") or data.get("id") or data.get("alias")),
            description=str(data.get("description") or ""),
            approximate_cost_eur=parse_money(cost),
            operations=_operations(data),
            aspect_ratios=_strings(data.get("aspect_ratios")),
            image_sizes=_strings(data.get("image_sizes")),
            fixed_sizes=_strings(data.get("fixed_sizes")),
            output_formats=_strings(data.get("output_formats")),
            max_combine_inputs=_whole(data.get("max_combine_inputs")),
            max_characters=_whole(data.get("max_characters")),
            supports_multiturn=data.get("supports_multiturn") is True,
            budget=budget if isinstance(budget, bool) else None,
            prices_eur=_prices(data.get("prices_eur")),
        )


def _prices(data: Any) -> dict[str, Decimal]:
    if not isinstance(data, dict):
        return {}
    parsed = {str(size): parse_money(price) for size, price in data.items()}
    return {size: price for size, price in parsed.items() if price is not None}


@dataclass(frozen=True)
class ModelList:
    """The body of GET /v1/models: the models, when the list was cached, and its disclaimer."""

    models: tuple[ModelInfo, ...]
    cached_at: datetime | None = None
    disclaimer: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ModelList:
        """`{"models": [...]}` (`null` allowed) or a bare list; entries without an id or
        alias are skipped."""
        body = data if isinstance(data, dict) else {}
        entries = body.get("models") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            entries = []
        return cls(
            models=tuple(model for entry in entries if (model := ModelInfo.from_json(entry))),
            cached_at=parse_time(body.get("cached_at")),
            disclaimer=str(body.get("disclaimer") or ""),
        )

    def find(self, key: str) -> ModelInfo | None:
        """A model by the id or alias it was listed with."""
        return next((m for m in self.models if key and key in (m.id, m.alias)), None)


def parse_models(data: Any) -> list[ModelInfo]:
    return list(ModelList.from_json(data).models)


@dataclass(frozen=True)
class AccountProfile:
    """GET /v1/account/profile (contract: fields inside `user`, else at the top level)."""

    balance_eur: Decimal | None
    held_eur: Decimal
    id: str = ""
    email: str = ""
    email_verified: bool | None = None
    name: str = ""
    created_at: datetime | None = None
    credit_limit_cents: int | None = None
    credits_expire_at: datetime | None = None
    free_trial_pending_eur: Decimal | None = None
    pending_credit_notice: bool = False
    prompt_analysis_opt_in: bool = False
    providers: tuple[str, ...] = ()
    two_factor_enabled: bool = False

    @property
    def available_eur(self) -> Decimal | None:
        """What can be spent now, counted as Depicta's own CLI does: balance - held."""
        return None if self.balance_eur is None else self.balance_eur - self.held_eur

    @classmethod
    def from_json(cls, data: Any) -> AccountProfile:
        body = data if isinstance(data, dict) else {}
        user = found if isinstance(found := body.get("user"), dict) else {}

        def read(name: str) -> Any:
            return user.get(name, body.get(name))

        limit = read("credit_limit_cents")
        verified = read("email_verified")
        return cls(
            balance_eur=parse_money(read("balance_eur")),
            held_eur=parse_money(read("held_eur")) or Decimal(0).quantize(MONEY_PLACES),
            id=str(read("id") or ""),
            email=str(read("email") or ""),
            email_verified=verified if isinstance(verified, bool) else None,
            name=str(read("name") or ""),
            created_at=parse_time(read("created_at")),
            credit_limit_cents=limit if isinstance(limit, int) else None,
            credits_expire_at=parse_time(read("credits_expire_at")),
            free_trial_pending_eur=parse_money(read("free_trial_pending_eur")),
            pending_credit_notice=read("pending_credit_notice") is True,
            prompt_analysis_opt_in=read("prompt_analysis_opt_in") is True,
            providers=_strings(read("providers")),
            two_factor_enabled=read("two_factor_enabled") is True,
        )


@dataclass(frozen=True)
class JobError:
    code: str
    message: str


@dataclass(frozen=True)
class Job:
    """An entry of GET /v1/jobs or the body of GET /v1/jobs/{id}."""

    job_id: str
    status: JobStatus | str  # an unknown status is kept as sent (never final)
    created_at: datetime | None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    error: JobError | None = None
    result: GenerateResult | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in (JobStatus.COMPLETED, JobStatus.FAILED)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        error = data.get("error")
        result = data.get("result")
        return cls(
            job_id=str(data.get("job_id") or data.get("id") or ""),
            status=_job_status(data.get("status")),
            created_at=parse_time(data.get("created_at")),
            started_at=parse_time(data.get("started_at")),
            completed_at=parse_time(data.get("completed_at")),
            error=JobError(str(error.get("code") or ""), str(error.get("message") or ""))
            if isinstance(error, dict)
            else None,
            result=GenerateResult.from_json(result) if isinstance(result, dict) else None,
            raw=data,
        )


def _job_status(value: Any) -> JobStatus | str:
    if not value:
        return JobStatus.PENDING
    try:
        return JobStatus(str(value))
    except ValueError:
        return str(value)


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
