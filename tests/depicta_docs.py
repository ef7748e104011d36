"""Bodies built field for field from Depicta's API reference (../shared/depicta-api.md), and a
loopback HTTP server that answers with them.

Nothing here comes from the sandbox's code: these are what the real API documents, so a client
that needs a field the reference does not list fails against them. Each body names its source.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JOB_ID = "3f2b6c1e-8a4d-4b7e-9c2a-5d1e0f7a9b33"
PNG_HASH = "a" * 64

# "List available models": two models, sizes by aspect ratio, so `image_sizes` is empty.
MODELS = {
    "cached_at": "2026-11-30T08:00:00Z",
    "disclaimer": "Costs are approximate; the actual cost is returned with each generation.",
    "models": [
        {
            "id": "black-forest-labs/flux-1.1-pro",
            "name": "FLUX 1.1 Pro",
            "description": "Photorealistic images with strong prompt adherence.",
            "approximate_cost_eur": "0.045000",
            "can_generate": True,
            "can_edit": False,
            "operations": ["generate"],
            "aspect_ratios": ["1:1", "16:9", "9:16", "3:2", "2:3", "4:5"],
            "image_sizes": [],
            "fixed_sizes": [],
            "output_formats": ["png", "jpeg", "webp"],
            "max_combine_inputs": 0,
            "max_characters": 0,
            "supports_multiturn": False,
        },
        {
            "id": "bytedance-seed/seedream-4.5",
            "name": "Seedream 4.5",
            "description": "Edits, combines and tells stories with consistent characters.",
            "approximate_cost_eur": "0.035000",
            "can_generate": True,
            "can_edit": True,
            "operations": ["generate", "edit", "combine"],
            "aspect_ratios": ["1:1", "2:3", "3:2", "3:4", "4:3", "9:16", "16:9", "21:9"],
            "image_sizes": [],
            "fixed_sizes": [],
            "output_formats": ["png", "jpeg", "webp"],
            "max_combine_inputs": 2,
            "max_characters": 10,
            "supports_multiturn": True,
        },
    ],
}

# "Generate an image": the sparse example, png in full, jpeg and webp only `url` + `format`,
# no `image_url`, no `model`.
GENERATE_SPARSE = {
    "id": "9d4c2a71-0b6e-4f3a-8e5d-2c7b1a0f6e48",
    "ai_generated": True,
    "cost_eur": "0.045000",
    "balance_eur": "12.955000",
    "formats": {
        "png": {
            "url": "https://images.depicta.ai/g/9d4c.png?token=secret",
            "format": "png",
            "hash": PNG_HASH,
            "size_bytes": 1843200,
            "expires_at": "2026-11-30T09:00:00Z",
        },
        "jpeg": {"url": "https://images.depicta.ai/g/9d4c.jpg?token=secret", "format": "jpeg"},
        "webp": {"url": "https://images.depicta.ai/g/9d4c.webp?token=secret", "format": "webp"},
    },
}

# "List jobs": newest first; one completed, one failed on Depicta's side.
JOBS = {
    "generations": [
        {
            "job_id": JOB_ID,
            "status": "completed",
            "created_at": "2026-11-30T08:00:01Z",
            "started_at": "2026-11-30T08:00:01Z",
            "completed_at": "2026-11-30T08:00:09Z",
            "scenes_completed": 0,
            "scenes_total": 0,
            "result": GENERATE_SPARSE,
        },
        {
            "job_id": "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
            "status": "failed",
            "created_at": "2026-11-30T07:59:00Z",
            "started_at": "2026-11-30T07:59:00Z",
            "completed_at": "2026-11-30T07:59:02Z",
            "error": {"code": "insufficient_credits", "message": "Balance too low."},
            "result": {},
        },
    ],
    "limit": 20,
    "offset": 0,
    "total": 2,
}

# "Get story job": a finished story, scenes in the reference's shape.
STORY_JOB = {
    "job_id": "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d",
    "status": "completed",
    "created_at": "2026-11-30T08:00:00Z",
    "started_at": "2026-11-30T08:00:05Z",
    "completed_at": "2026-11-30T08:06:40Z",
    "scenes_completed": 2,
    "scenes_total": 2,
    "result": {
        "title": "The Lighthouse Keeper",
        "cost_eur": "0.180000",
        "balance_eur": "12.775000",
        "scenes": [
            {
                "scene": 1,
                "title": "Dusk",
                "image_url": "https://images.depicta.ai/s/1.png?token=secret",
                "image_hash": "b" * 64,
                "expires_at": "2026-11-30T09:06:40Z",
            },
            {
                "scene": 2,
                "title": "Storm",
                "image_url": "https://images.depicta.ai/s/2.png?token=secret",
                "image_hash": "c" * 64,
                "expires_at": "2026-11-30T09:06:40Z",
            },
        ],
        "characters": [
            {
                "name": "Mara",
                "reference_url": "https://images.depicta.ai/c/mara.png?token=secret",
                "expires_at": "2026-11-30T09:06:40Z",
            }
        ],
        "locations": [],
    },
}

# "Get profile": every field, inside `user`.
PROFILE = {
    "user": {
        "id": "7e1f0a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "email": "studio@example.com",
        "email_verified": True,
        "name": None,
        "created_at": "2026-01-15T10:00:00Z",
        "balance_eur": "12.955000",
        "held_eur": "0.090000",
        "credit_limit_cents": 50000,
        "credits_expire_at": "2027-01-15T10:00:00Z",
        "pending_credit_notice": False,
        "prompt_analysis_opt_in": False,
        "providers": None,
        "two_factor_enabled": False,
    }
}


class DocumentedAPI:
    """A real HTTP server on loopback answering each path with a body from the docs.

    `routes` maps "METHOD /path" to (status, body, headers); anything else is Depicta's 404.
    Requests are kept in `received` so a test can tell whether a call was made."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, Any, dict[str, str]]] = {
            "GET /v1/models": (200, MODELS, {}),
            "GET /v1/account/profile": (200, PROFILE, {}),
            "GET /v1/jobs": (200, JOBS, {}),
            f"GET /v1/jobs/{JOB_ID}": (200, JOBS["generations"][0], {}),
            "POST /v1/generate/image": (200, GENERATE_SPARSE, {"X-Depicta-Job-Id": JOB_ID}),
        }
        self.received: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> DocumentedAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _answer(self) -> None:
                route = f"{self.command} {self.path.split('?')[0]}"
                api.received.append(route)
                not_found = {"error": "not_found", "message": "No such resource."}
                status, body, headers = api.routes.get(route, (404, not_found, {}))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
