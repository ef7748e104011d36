"""Reading a `POST /v1/generate/image` body into checked parameters.

400 `bad_request` when the body cannot be read as a request: not a JSON object, a field of the
wrong JSON type, `prompt` missing, blank or too long, `model` blank or unknown. 422
`validation_error` when it reads fine but an optional value is not allowed: an aspect ratio,
size or strictness outside its set, a size or aspect ratio the model does not offer, more than
5 reference images, a reference URL that is not public HTTPS, an empty description. `details`
names the first field (`field`) and lists every problem found (`fields`).

Without `model` (or with `null`) the sandbox picks one (`credits.model_choose`), as Depicta
does, and checks the request against it like a named one.
"""

import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from depicta_web.depicta.schema import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    MAX_REFERENCE_IMAGES,
    PROMPT_MAX_CHARS,
    STRICTNESS_MODES,
)

from .catalogue import DEFAULT_ASPECT_RATIO, DEFAULT_IMAGE_SIZE, ImageModel, model_find
from .credits import model_choose
from .errors import SandboxError
from .models import SandboxAccount

DEFAULT_STRICTNESS = "normal"  # the account default: brand-safe


@dataclass(frozen=True)
class GenerateParams:
    prompt: str
    model: ImageModel
    aspect_ratio: str
    image_size: str
    strictness: str
    reference_images: tuple[dict[str, str], ...] = ()


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[str, str, str]] = []  # (code, field, problem)

    def bad(self, field: str, problem: str) -> None:
        self.found.append(("bad_request", field, problem))

    def invalid(self, field: str, problem: str) -> None:
        self.found.append(("validation_error", field, problem))

    def raise_any(self) -> None:
        if not self.found:
            return
        codes = {code for code, _, _ in self.found}
        code = "bad_request" if "bad_request" in codes else "validation_error"
        _, field, problem = next(item for item in self.found if item[0] == code)
        fields = {name: text for _, name, text in self.found}
        raise SandboxError(code, f"{field}: {problem}", details={"field": field, "fields": fields})


def generate_params_parse(body: bytes, *, account: SandboxAccount) -> GenerateParams:
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SandboxError(
            "bad_request", "The body is not valid JSON.", details={"field": "body"}
        ) from None
    if not isinstance(data, dict):
        raise SandboxError(
            "bad_request", "The body must be a JSON object.", details={"field": "body"}
        )
    problems = _Problems()
    prompt = _prompt(data.get("prompt"), problems)
    aspect_ratio = _choice(data, "aspect_ratio", ASPECT_RATIOS, DEFAULT_ASPECT_RATIO, problems)
    image_size = _choice(data, "image_size", IMAGE_SIZES, DEFAULT_IMAGE_SIZE, problems)
    strictness = _choice(data, "strictness", STRICTNESS_MODES, DEFAULT_STRICTNESS, problems)
    model: ImageModel | None
    if data.get("model") is None:
        available = account.available_eur()
        model = model_choose(available=available, aspect_ratio=aspect_ratio, image_size=image_size)
    else:
        model = _model(data["model"], problems)
    if model and image_size in IMAGE_SIZES and image_size not in model.sizes_offered:
        problems.invalid(
            "image_size",
            f"{model.id} offers {', '.join(model.sizes_offered)}, not {image_size}",
        )
    if model and aspect_ratio in ASPECT_RATIOS and aspect_ratio not in model.ratios_offered:
        problems.invalid(
            "aspect_ratio",
            f"{model.id} offers {', '.join(model.ratios_offered)}, not {aspect_ratio}",
        )
    references = _references(data.get("reference_images"), problems)
    problems.raise_any()
    assert model is not None
    return GenerateParams(prompt, model, aspect_ratio, image_size, strictness, references)


def _prompt(value: Any, problems: _Problems) -> str:
    if value is None:
        problems.bad("prompt", "is required")
    elif not isinstance(value, str):
        problems.bad("prompt", "must be a string")
    elif not value.strip():
        problems.bad("prompt", "must not be blank")
    elif len(value.strip()) > PROMPT_MAX_CHARS:
        problems.bad("prompt", f"must be at most {PROMPT_MAX_CHARS} characters")
    else:
        return value.strip()
    return ""


def _model(value: Any, problems: _Problems) -> ImageModel | None:
    if not isinstance(value, str) or not value.strip():
        problems.bad("model", "must be a model id or alias from GET /v1/models")
    elif not (model := model_find(value)):
        problems.bad("model", f"unknown model {value[:64]!r}; see GET /v1/models")
    else:
        return model
    return None


def _choice(
    data: dict[str, Any], field: str, allowed: tuple[str, ...], default: str, problems: _Problems
) -> str:
    value = data.get(field)
    if value is None:
        return default
    if not isinstance(value, str):
        problems.bad(field, "must be a string or null")
    elif value not in allowed:
        problems.invalid(field, f"must be one of {', '.join(allowed)}")
    return value if isinstance(value, str) else default


def _references(value: Any, problems: _Problems) -> tuple[dict[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.bad("reference_images", "must be an array")
        return ()
    if len(value) > MAX_REFERENCE_IMAGES:
        problems.invalid("reference_images", f"at most {MAX_REFERENCE_IMAGES} images")
    references = []
    for index, item in enumerate(value[:MAX_REFERENCE_IMAGES]):
        field = f"reference_images[{index}]"
        if not isinstance(item, dict):
            problems.bad(field, "must be an object with url and description")
            continue
        url, description = item.get("url"), item.get("description")
        if not isinstance(url, str):
            problems.bad(f"{field}.url", "is required and must be a string")
        elif not _public_https(url):
            problems.invalid(f"{field}.url", "must be a publicly reachable https:// URL")
        if not isinstance(description, str):
            problems.bad(f"{field}.description", "is required and must be a string")
        elif not description.strip():
            problems.invalid(f"{field}.description", "must say what the image shows")
        if isinstance(url, str) and isinstance(description, str):
            references.append({"url": url, "description": description.strip()})
    return tuple(references)


def _public_https(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith(".local"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name; the sandbox does not fetch it
    return address.is_global
