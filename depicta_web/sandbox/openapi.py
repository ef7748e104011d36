"""An OpenAPI 3.1 description of what the sandbox serves, as JSON or YAML."""

import json
import re
from typing import Any

from depicta_web.depicta.schema import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    MAX_REFERENCE_IMAGES,
    PROMPT_MAX_CHARS,
    STRICTNESS_MODES,
)

from .api import JOB_ID_HEADER, REQUEST_ID_HEADER

ERROR_CODES = {
    "400": "bad_request",
    "401": "auth_invalid",
    "402": "credit_insufficient",
    "403": "content_rejected",
    "404": "not_found",
    "413": "payload_too_large",
    "422": "validation_error",
    "429": "rate_limited",
    "451": "content_rejected_legal",
    "500": "internal_error",
    "502": "bad_gateway",
    "503": "unavailable",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: _json(_ref("Error"), f"`{ERROR_CODES[status]}`") for status in statuses}


def _nullable(enum: tuple[str, ...]) -> dict[str, Any]:
    return {"type": ["string", "null"], "enum": [*enum, None]}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message", "request_id"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "request_id": {"type": "string"},
            "details": {},
        },
    },
    "Model": {
        "type": "object",
        "required": ["id", "alias", "name", "price_eur", "capabilities", "budget", "image_sizes"],
        "properties": {
            "id": {"type": "string"},
            "alias": {"type": "string"},
            "name": {"type": "string"},
            "price_eur": {"type": "string", "description": "1K price, 6 decimals"},
            "prices_eur": {"type": "object", "additionalProperties": {"type": "string"}},
            "capabilities": {"type": "array", "items": {"type": "string"}},
            "budget": {"type": "boolean"},
            "image_sizes": {"type": "array", "items": {"enum": list(IMAGE_SIZES)}},
        },
    },
    "ModelList": {
        "type": "object",
        "properties": {"models": {"type": "array", "items": _ref("Model")}},
    },
    "GenerateRequest": {
        "type": "object",
        "required": ["prompt", "model"],
        "properties": {
            "prompt": {"type": "string", "minLength": 1, "maxLength": PROMPT_MAX_CHARS},
            "model": {"type": "string", "description": "id or alias from GET /v1/models"},
            "aspect_ratio": _nullable(ASPECT_RATIOS),
            "image_size": _nullable(IMAGE_SIZES),
            "strictness": _nullable(STRICTNESS_MODES),
            "reference_images": {
                "type": ["array", "null"],
                "maxItems": MAX_REFERENCE_IMAGES,
                "items": {
                    "type": "object",
                    "required": ["url", "description"],
                    "properties": {
                        "url": {"type": "string", "format": "uri"},
                        "description": {"type": "string", "minLength": 1},
                    },
                },
            },
        },
    },
    "ImageVariant": {
        "type": "object",
        "required": ["url", "format"],
        "properties": {
            "url": {"type": "string", "description": "signed URL"},
            "format": {"type": "string"},
            "hash": {"type": "string", "description": "SHA-256, hex"},
            "size_bytes": {"type": "integer"},
            "expires_at": {"type": "string", "format": "date-time"},
        },
    },
    "GenerateResult": {
        "type": "object",
        "required": ["id", "ai_generated", "cost_eur", "balance_eur"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "ai_generated": {"const": True},
            "model": {"type": "string"},
            "image_url": {"type": "string"},
            "image_hash": {"type": "string"},
            "formats": {"type": "object", "additionalProperties": _ref("ImageVariant")},
            "cost_eur": {"type": "string"},
            "balance_eur": {"type": "string"},
        },
    },
    "Job": {
        "type": "object",
        "required": ["job_id", "status", "created_at"],
        "properties": {
            "job_id": {"type": "string", "format": "uuid"},
            "status": {"enum": ["pending", "processing", "completed", "failed"]},
            "operation": {"type": "string"},
            "model": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "started_at": {"type": "string", "format": "date-time"},
            "completed_at": {"type": "string", "format": "date-time"},
            "error": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
            "result": _ref("GenerateResult"),
        },
    },
    "JobPage": {
        "type": "object",
        "properties": {
            "generations": {"type": ["array", "null"], "items": _ref("Job")},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _query_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": True, "schema": {"type": "string"}}


def openapi_document(*, server_url: str) -> dict[str, Any]:
    open_endpoint: list[dict[str, list[str]]] = []
    page_params = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 20}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}},
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Depicta sandbox",
            "version": "1.0.0-sandbox",
            "description": "A local stand-in for the Depicta image-generation API. Every answer "
            f"carries `{REQUEST_ID_HEADER}`; see docs/sandbox.md for models, prices and faults.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/health": {
                "get": {"security": open_endpoint, "responses": {"200": {"description": "OK"}}}
            },
            "/v1/pricing": {
                "get": {"security": open_endpoint, "responses": {"200": _json(_ref("ModelList"))}}
            },
            "/v1/models": {
                "get": {"responses": {"200": _json(_ref("ModelList")), **_errors("401")}}
            },
            "/v1/generate/image": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("GenerateRequest")}},
                    },
                    "responses": {
                        "200": {
                            **_json(_ref("GenerateResult")),
                            "headers": {JOB_ID_HEADER: {"schema": {"type": "string"}}},
                        },
                        **_errors(*ERROR_CODES),
                    },
                }
            },
            "/v1/jobs": {
                "get": {
                    "parameters": page_params,
                    "responses": {"200": _json(_ref("JobPage")), **_errors("400", "401")},
                }
            },
            "/v1/jobs/{id}": {
                "get": {
                    "parameters": [_path_param("id")],
                    "responses": {"200": _json(_ref("Job")), **_errors("401", "404")},
                }
            },
            "/files/{job_id}/{position}.{format}": {
                "get": {
                    "summary": "A signed image URL, as returned in results; no key needed.",
                    "security": open_endpoint,
                    "parameters": [
                        _path_param("job_id"),
                        _path_param("position"),
                        {**_path_param("format"), "schema": {"enum": ["png", "jpeg", "webp"]}},
                        _query_param("expires"),
                        _query_param("sig"),
                    ],
                    "responses": {
                        "200": {
                            "description": "The image bytes",
                            "content": {f"image/{f}": {} for f in ("png", "jpeg", "webp")},
                        },
                        "403": _json(_ref("Error"), "`url_invalid` or `url_expired`"),
                        "404": _json(_ref("Error"), "`not_found`"),
                    },
                }
            },
        },
    }


def yaml_dump(value: Any, indent: int = 0) -> str:
    """Block-style YAML for JSON-like data; scalars are written as JSON, which YAML reads."""
    pad = "  " * indent
    if isinstance(value, dict) and value:
        lines = [f"{pad}{_yaml_key(key)}:{_yaml_tail(item, indent)}" for key, item in value.items()]
    elif isinstance(value, list) and value:
        lines = []
        for item in value:
            if isinstance(item, dict | list) and item:
                # The item's first line moves up beside its dash: "- key: value".
                nested = yaml_dump(item, indent + 1).rstrip("\n")
                lines.append(f"{pad}- {nested[len(pad) + 2 :]}")
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    else:
        lines = [f"{pad}{_yaml_scalar(value)}"]
    return "\n".join(lines) + "\n"


def _yaml_tail(item: Any, indent: int) -> str:
    if isinstance(item, dict | list) and item:
        return "\n" + yaml_dump(item, indent + 1).rstrip("\n")
    return " " + _yaml_scalar(item)


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _yaml_key(key: Any) -> str:
    text = str(key)
    return (
        text if _PLAIN_KEY.match(text) and text.lower() not in _YAML_WORDS else _yaml_scalar(text)
    )


def _yaml_scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
