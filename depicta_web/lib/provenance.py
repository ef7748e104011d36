"""What an image's C2PA Content Credentials say, and whether they hold up.

Reading only; offline (no remote manifests, no OCSP). Independent of the sandbox on purpose:
the app must judge Depicta's real images and the sandbox's the same way.
"""

import io
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import c2pa

VALID = "valid"
VALID_UNTRUSTED = "valid, signer not in a trust list"
MISSING = "missing"
INVALID_PREFIX = "invalid: "

DEPICTA_ASSERTION = "ai.depicta.generation"
# IPTC digital source types that mean "made with a trained model" (the C2PA AI marker).
AI_SOURCE_TYPES = frozenset({"trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia"})
UNTRUSTED_SIGNER = "signingCredential.untrusted"
# Plain words for the failures people will actually meet; anything else keeps c2pa's wording.
FAILURE_WORDS = {
    "assertion.dataHash.mismatch": "the image was changed after it was signed",
    "assertion.boxesHash.mismatch": "the image was changed after it was signed",
    "claimSignature.mismatch": "the signature does not match the manifest",
    "signingCredential.expired": "the signing certificate had expired",
    "signingCredential.revoked": "the signing certificate was revoked",
    "signingCredential.invalid": "the signing certificate may not sign Content Credentials",
}
# c2pa errors that mean a manifest is there but broken, rather than an unreadable image.
BROKEN_MANIFEST_ERRORS: tuple[type[c2pa.C2paError], ...] = (
    c2pa.C2paError.Assertion,
    c2pa.C2paError.AssertionNotFound,
    c2pa.C2paError.Decoding,
    c2pa.C2paError.Json,
    c2pa.C2paError.Manifest,
    c2pa.C2paError.RemoteManifest,
    c2pa.C2paError.Signature,
    c2pa.C2paError.Verify,
)


@dataclass(frozen=True)
class Provenance:
    """The claims of the active manifest, and the verdict on them in `validation`.

    The claims are reported even when the verdict is "invalid", so the page can say what the
    file claims and that the claim does not hold.
    """

    present: bool
    generator: str = ""
    action: str = ""  # e.g. "c2pa.created"
    model: str = ""
    signer: str = ""  # the signing certificate's common name
    # The signature's trusted timestamp when there is one; otherwise the time the signed
    # manifest states for its action (Depicta's own claim, covered by the signature).
    signed_at: datetime | None = None
    ai_generated: bool = False
    validation: str = MISSING  # VALID, VALID_UNTRUSTED, MISSING, or "invalid: <why>"
    errors: tuple[str, ...] = ()

    @property
    def is_valid(self) -> bool:
        """Intact and correctly signed, whoever the signer is."""
        return self.validation in (VALID, VALID_UNTRUSTED)

    @property
    def is_trusted(self) -> bool:
        return self.validation == VALID

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe copy for storing beside the file it describes."""
        return {
            "present": self.present,
            "generator": self.generator,
            "action": self.action,
            "model": self.model,
            "signer": self.signer,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "ai_generated": self.ai_generated,
            "validation": self.validation,
            "errors": list(self.errors),
        }


def read_provenance(
    data: bytes | Path, mime: str, *, extra_trust_anchors: str | None = None
) -> Provenance:
    """Read and validate the Content Credentials in an image. Never raises for image content.

    `extra_trust_anchors` is a PEM bundle of roots to trust besides c2pa's defaults. A missing
    file at a given path still raises OSError: that is the caller's mistake, not the image's.
    """
    with _open(data) as stream:
        try:
            context = _reader_context(extra_trust_anchors)
            with c2pa.Reader(mime or None, stream, context=context) as reader:
                store = json.loads(reader.json())
        except c2pa.C2paError.ManifestNotFound:
            return Provenance(present=False)
        except BROKEN_MANIFEST_ERRORS as error:
            return Provenance(
                present=True, validation=INVALID_PREFIX + str(error), errors=(str(error),)
            )
        except c2pa.C2paError as error:
            reason = f"the image could not be read ({error})"
            return Provenance(
                present=False, validation=INVALID_PREFIX + reason, errors=(str(error),)
            )
    return _from_store(store)


def _open(data: bytes | Path) -> BinaryIO:
    return io.BytesIO(data) if isinstance(data, bytes | bytearray) else Path(data).open("rb")


# Reader contexts are cached per process and trust bundle: building one parses every anchor.
_context_lock = threading.Lock()
_contexts: dict[tuple[int, str | None], c2pa.Context] = {}


def _reader_context(extra_trust_anchors: str | None) -> c2pa.Context:
    key = (os.getpid(), extra_trust_anchors)
    with _context_lock:
        if key not in _contexts:
            # Offline: a file must not make the server fetch URLs it names.
            settings: dict[str, Any] = {
                "verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}
            }
            if extra_trust_anchors:
                settings["trust"] = {"user_anchors": extra_trust_anchors}
            _contexts[key] = c2pa.Context.from_dict(settings)
        return _contexts[key]


def _from_store(store: dict[str, Any]) -> Provenance:
    manifest = store.get("manifests", {}).get(store.get("active_manifest"), {})
    actions = _actions(manifest)
    main_action = _main_action(actions)
    generation = _assertion_data(manifest, DEPICTA_ASSERTION)
    signature = manifest.get("signature_info") or {}
    validation, errors = _verdict(store)
    return Provenance(
        present=True,
        generator=_generator(manifest),
        action=str(main_action.get("action", "")),
        model=str(generation.get("model") or _agent_name(main_action.get("softwareAgent"))),
        signer=str(signature.get("common_name") or signature.get("issuer") or ""),
        signed_at=_timestamp(signature.get("time")) or _timestamp(main_action.get("when")),
        ai_generated=generation.get("ai_generated") is True
        or any(_is_ai_source(action.get("digitalSourceType")) for action in actions),
        validation=validation,
        errors=errors,
    )


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    actions = []
    for assertion in manifest.get("assertions", []):
        label = assertion.get("label", "")
        # "c2pa.actions" (v1) and "c2pa.actions.v2"; several assertions may hold actions.
        if label == "c2pa.actions" or label.startswith("c2pa.actions.v"):
            actions += (assertion.get("data") or {}).get("actions", [])
    return [action for action in actions if isinstance(action, dict)]


def _main_action(actions: list[dict[str, Any]]) -> dict[str, Any]:
    for wanted in ("c2pa.created", "c2pa.edited"):
        for action in actions:
            if action.get("action") == wanted:
                return action
    return actions[0] if actions else {}


def _assertion_data(manifest: dict[str, Any], label: str) -> dict[str, Any]:
    for assertion in manifest.get("assertions", []):
        if assertion.get("label") == label and isinstance(data := assertion.get("data"), dict):
            return data
    return {}


def _generator(manifest: dict[str, Any]) -> str:
    for info in manifest.get("claim_generator_info") or []:
        if isinstance(info, dict) and info.get("name"):
            return str(info["name"])
    # Version 1 claims carry a "Name/version" user-agent string instead.
    return str(manifest.get("claim_generator") or "").split("/")[0].strip()


def _agent_name(agent: object) -> str:
    # softwareAgent is a string in version 1 actions and an object in version 2.
    if isinstance(agent, dict):
        return str(agent.get("name", ""))
    return str(agent or "")


def _is_ai_source(source_type: object) -> bool:
    return isinstance(source_type, str) and source_type.rstrip("/").rsplit("/", 1)[-1] in (
        AI_SOURCE_TYPES
    )


def _timestamp(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None  # a time without a zone is no time at all


def _verdict(store: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    failures = _failures(store)
    broken = [failure for failure in failures if failure.get("code") != UNTRUSTED_SIGNER]
    state = store.get("validation_state")
    if state == "Invalid" or broken:
        # dict.fromkeys drops repeated reasons and keeps their order.
        reasons = list(dict.fromkeys(_failure_words(failure) for failure in broken))
        reasons = reasons or ["c2pa reports the manifest as invalid"]
        errors = tuple(f"{f.get('code')}: {f.get('explanation', '')}".strip() for f in broken)
        return INVALID_PREFIX + "; ".join(reasons), errors
    if state == "Trusted":
        return VALID, ()
    return VALID_UNTRUSTED, ()


def _failures(store: dict[str, Any]) -> list[dict[str, Any]]:
    results = (store.get("validation_results") or {}).get("activeManifest")
    listed = results.get("failure", []) if results else store.get("validation_status", [])
    return [failure for failure in listed or [] if isinstance(failure, dict)]


def _failure_words(failure: dict[str, Any]) -> str:
    code = str(failure.get("code", ""))
    return FAILURE_WORDS.get(code) or str(failure.get("explanation") or code)
