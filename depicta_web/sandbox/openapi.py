"""An OpenAPI 3.1 description of what the sandbox serves, as JSON or YAML."""

import json
import re
from typing import Any

from depicta_web.depicta.schema import (
    ALL_MODELS_FROM,
    ASPECT_RATIOS,
    IMAGE_FORMATS,
    IMAGE_SIZES,
    JOB_ID_HEADER,
    MAX_REFERENCE_IMAGES,
    MIME_TYPES,
    PROMPT_MAX_CHARS,
    STRICTNESS_MODES,
    JobStatus,
)

from .api import REQUEST_ID_HEADER

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


def _list_of(enum: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(enum)}}


MONEY = {"type": "string", "description": "EUR, 6 decimals", "pattern": r"^\d+\.\d{6}$"}
MODEL_FIELDS = {
    "id": {"type": "string", "description": "the value to send as `model`"},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "approximate_cost_eur": {**MONEY, "description": "1K list price, EUR, 6 decimals"},
    "can_generate": {"type": "boolean"},
    "can_edit": {"type": "boolean"},
    "operations": _list_of(("generate", "edit", "combine")),
    "aspect_ratios": {
        **_list_of(ASPECT_RATIOS),
        "description": "the ratios offered; empty when image_sizes or fixed_sizes say it",
    },
    "image_sizes": {
        **_list_of(IMAGE_SIZES),
        "description": "the sizes offered; empty when the model lists ratios instead",
    },
    "fixed_sizes": {
        "type": "array",
        "items": {"type": "string", "pattern": r"^\d+x\d+$"},
        "description": "WIDTHxHEIGHT shapes; their ratios are the only ones offered",
    },
    "output_formats": _list_of(IMAGE_FORMATS),
    "max_combine_inputs": {"type": "integer", "description": "0: only the API-wide cap of 5"},
    "max_characters": {"type": "integer", "description": "story characters; 0: not applicable"},
    "supports_multiturn": {"type": "boolean"},
}


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
        "required": list(MODEL_FIELDS),
        "properties": {
            **MODEL_FIELDS,
            "alias": {"type": "string", "description": "also accepted as `model` (sandbox)"},
            "budget": {
                "type": "boolean",
                "description": f"usable below EUR {ALL_MODELS_FROM} (sandbox)",
            },
        },
    },
    "ModelList": {
        "type": "object",
        "required": ["cached_at", "disclaimer", "models"],
        "properties": {
            "cached_at": {"type": "string", "format": "date-time"},
            "disclaimer": {"type": "string"},
            "models": {"type": ["array", "null"], "items": _ref("Model")},
        },
    },
    "LegacyModel": {
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
            "image_sizes": _list_of(IMAGE_SIZES),
        },
    },
    "LegacyModelList": {
        "type": "object",
        "description": "Only with DEPICTA_SANDBOX_MODELS_SHAPE=legacy",
        "properties": {"models": {"type": "array", "items": _ref("LegacyModel")}},
    },
    "Pricing": {
        "type": "object",
        "required": ["disclaimer", "models"],
        "properties": {
            "disclaimer": {"type": "string"},
            "models": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "approximate_cost_eur"],
                    "properties": {
                        "id": {"type": "string"},
                        "approximate_cost_eur": MODEL_FIELDS["approximate_cost_eur"],
                    },
                },
            },
        },
    },
    "Profile": {
        "type": "object",
        "required": ["user"],
        "properties": {
            "user": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "email": {"type": "string"},
                    "email_verified": {"type": "boolean"},
                    "name": {"type": ["string", "null"]},
                    "created_at": {"type": "string", "format": "date-time"},
                    "balance_eur": {
                        **MONEY,
                        "description": "settled balance; holds are in held_eur, not taken off",
                    },
                    "held_eur": {**MONEY, "description": "holds of the running jobs"},
                    "credit_limit_cents": {"type": "integer"},
                    "credits_expire_at": {"type": ["string", "null"], "format": "date-time"},
                    "pending_credit_notice": {"type": "boolean"},
                    "prompt_analysis_opt_in": {"type": "boolean"},
                    "providers": {"type": ["array", "null"], "items": {"type": "string"}},
                    "two_factor_enabled": {"type": "boolean"},
                },
            }
        },
    },
    "SkillVersion": {
        "type": "object",
        "required": ["version"],
        "properties": {"version": {"type": "string"}},
    },
    "GenerateRequest": {
        "type": "object",
        "required": ["prompt"],
        "properties": {
            "prompt": {"type": "string", "minLength": 1, "maxLength": PROMPT_MAX_CHARS},
            "model": {
                "type": ["string", "null"],
                "description": "id or alias from GET /v1/models; omitted or null: the first "
                "model offering the ratio and size (below EUR "
                f"{ALL_MODELS_FROM} available: the first such budget model)",
            },
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
            "status": {"enum": [status.value for status in JobStatus]},
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
            "image_url": {"type": "string", "description": "completed: result's, copied up"},
            "image_hash": {"type": "string", "description": "completed: result's, copied up"},
            "formats": {
                "type": "object",
                "description": "completed: result's, copied up",
                "additionalProperties": _ref("ImageVariant"),
            },
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
                "get": {"security": open_endpoint, "responses": {"200": _json(_ref("Pricing"))}}
            },
            "/v1/skill-version": {
                "get": {
                    "security": open_endpoint,
                    "responses": {"200": _json(_ref("SkillVersion"))},
                }
            },
            "/v1/models": {
                "get": {
                    "responses": {
                        "200": _json({"oneOf": [_ref("ModelList"), _ref("LegacyModelList")]}),
                        **_errors("401"),
                    }
                }
            },
            "/v1/account/profile": {
                "get": {"responses": {"200": _json(_ref("Profile")), **_errors("401")}}
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
                        {**_path_param("format"), "schema": {"enum": list(IMAGE_FORMATS)}},
                        _query_param("expires"),
                        _query_param("sig"),
                    ],
                    "responses": {
                        "200": {
                            "description": "The image bytes",
                            "content": {MIME_TYPES[f]: {} for f in IMAGE_FORMATS},
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
