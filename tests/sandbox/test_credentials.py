"""The sandbox signs real C2PA Content Credentials, offline, with a chain it makes once."""

import io
import json
import multiprocessing
import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from PIL import Image

from depicta_web.sandbox.credentials import (
    CHAIN_FILE,
    CREDENTIALS_DIR,
    KEY_FILE,
    ROOT_FILE,
    TRAINED_ALGORITHMIC_MEDIA,
    ensure_certificate_chain,
    manifest_definition,
    sign_image,
)
from depicta_web.sandbox.encoding import encode
from depicta_web.sandbox.painting import render_image

CREATED_AT = datetime(2026, 4, 6, 15, 0, 0, tzinfo=UTC)
FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    return render_image(prompt="harbour at dusk", model="flux", aspect_ratio="3:2", image_size="1K")


def sign(data: bytes, mime: str, state_dir: Path) -> bytes:
    return sign_image(
        data,
        mime=mime,
        model="flux-pro",
        created_at=CREATED_AT,
        title=f"harbour.{FORMATS[mime]}",
        state_dir=state_dir,
    )


def active_manifest(store: dict) -> dict:
    return store["manifests"][store["active_manifest"]]


def assertion(manifest: dict, label: str) -> dict:
    (found,) = [a["data"] for a in manifest["assertions"] if a["label"] == label]
    return found


@pytest.mark.parametrize("mime", sorted(FORMATS))
def test_signed_image_carries_depicta_credentials(picture, tmp_path, mime):
    signed = sign(encode(picture, FORMATS[mime]), mime, tmp_path)

    with c2pa.Reader(mime, io.BytesIO(signed)) as reader:
        store = json.loads(reader.json())
    manifest = active_manifest(store)
    assert manifest["claim_generator_info"][0]["name"] == "Depicta"
    assert manifest["claim_generator_info"][0]["version"]
    assert manifest["title"] == f"harbour.{FORMATS[mime]}"
    # c2pa writes version 2 actions whatever label the definition used.
    (action,) = assertion(manifest, "c2pa.actions.v2")["actions"]
    assert action["action"] == "c2pa.created"
    assert action["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert action["softwareAgent"]["name"] == "flux-pro"
    assert action["when"] == "2026-04-06T15:00:00Z"
    assert assertion(manifest, "ai.depicta.generation") == {
        "model": "flux-pro",
        "ai_generated": True,
        "created_at": "2026-04-06T15:00:00Z",
    }
    assert manifest["signature_info"]["common_name"] == "Depicta Sandbox Signer"
    assert manifest["signature_info"]["alg"].lower() == "es256"
    # Intact and correctly signed; the only complaint is that nobody has heard of the signer.
    assert store["validation_state"] == "Valid"
    failures = store["validation_results"]["activeManifest"]["failure"]
    assert [failure["code"] for failure in failures] == ["signingCredential.untrusted"]


def test_signing_leaves_the_pixels_alone(picture, tmp_path):
    signed = sign(encode(picture, "png"), "image/png", tmp_path)
    assert Image.open(io.BytesIO(signed)).convert("RGB").tobytes() == picture.tobytes()


def test_chain_is_made_once_and_reused(tmp_path):
    first = ensure_certificate_chain(tmp_path)
    files = [first.directory / name for name in (CHAIN_FILE, KEY_FILE, ROOT_FILE)]
    before = [(path.stat().st_ino, path.stat().st_mtime_ns) for path in files]

    second = ensure_certificate_chain(tmp_path)

    assert second == first
    assert [(path.stat().st_ino, path.stat().st_mtime_ns) for path in files] == before


def test_private_key_is_readable_by_its_owner_only(tmp_path):
    chain = ensure_certificate_chain(tmp_path)
    assert stat.S_IMODE((chain.directory / KEY_FILE).stat().st_mode) == 0o600


def test_chain_fits_the_c2pa_signing_profile(tmp_path):
    chain = ensure_certificate_chain(tmp_path)
    signer, root = x509.load_pem_x509_certificates(chain.chain_pem.encode())

    assert signer.subject.rfc4514_string() == "O=depicta-web sandbox,CN=Depicta Sandbox Signer"
    assert signer.issuer == root.subject != signer.subject  # not self-signed
    signer.verify_directly_issued_by(root)
    assert isinstance(signer.public_key(), ec.EllipticCurvePublicKey)
    assert signer.public_key().curve.name == "secp256r1"
    assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert signer.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    usages = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in usages
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert chain.root_pem.encode() in chain.chain_pem.encode()


def test_a_process_that_loses_the_race_adopts_the_winners_chain(tmp_path, monkeypatch):
    winner = ensure_certificate_chain(tmp_path)
    # A second process looked just before the winner's chain landed: it found none, so it
    # makes one of its own and is beaten to putting it in place.
    real_exists = Path.exists
    looks = []  # the loser's looks for a chain

    def exists_as_seen_by_the_loser(path: Path) -> bool:
        if path.name == CHAIN_FILE:
            looks.append(path)
            if len(looks) == 1:
                return False
        return real_exists(path)

    monkeypatch.setattr(Path, "exists", exists_as_seen_by_the_loser)
    loser = ensure_certificate_chain(tmp_path)
    monkeypatch.undo()

    assert len(looks) == 2  # it made a chain, then found the winner's in place
    assert loser == winner
    assert [path.name for path in tmp_path.iterdir()] == [CREDENTIALS_DIR]  # no staging left


def _chain_in_a_new_process(state_dir: Path) -> str:
    return ensure_certificate_chain(state_dir).chain_pem


def test_processes_starting_together_share_one_chain(tmp_path):
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=4, mp_context=spawn) as pool:
        chains = set(pool.map(_chain_in_a_new_process, [tmp_path] * 8))
    assert len(chains) == 1


def test_when_is_stated_in_utc():
    paris = timezone(timedelta(hours=2))
    definition = manifest_definition(
        model="flux", created_at=datetime(2026, 4, 6, 17, 0, tzinfo=paris), title="t"
    )
    action = definition["assertions"][0]["data"]["actions"][0]
    assert action["when"] == "2026-04-06T15:00:00Z"


def test_naive_creation_time_is_refused(tmp_path):
    with pytest.raises(ValueError, match="timezone-aware"):
        sign_image(
            b"",
            mime="image/png",
            model="flux",
            created_at=datetime(2026, 4, 6, 15, 0),  # naive: no tzinfo
            title="t",
            state_dir=tmp_path,
        )


def test_unsupported_media_type_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot sign"):
        sign_image(
            b"GIF89a",
            mime="image/gif",
            model="flux",
            created_at=CREATED_AT,
            title="t",
            state_dir=tmp_path,
        )
