"""Reading Content Credentials: honest about untrusted signers, tampering, and absence."""

import io
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from depicta_web.lib.provenance import (
    MISSING,
    VALID,
    VALID_UNTRUSTED,
    Provenance,
    read_provenance,
)
from depicta_web.sandbox.credentials import ensure_certificate_chain, sign_image
from depicta_web.sandbox.encoding import encode
from depicta_web.sandbox.painting import render_image

CREATED_AT = datetime(2026, 4, 6, 15, 0, 0, tzinfo=UTC)
FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp"}


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    return render_image(prompt="a quiet lake", model="flux", aspect_ratio="4:3", image_size="1K")


def signed(picture: Image.Image, mime: str, state_dir: Path) -> bytes:
    return sign_image(
        encode(picture, FORMATS[mime]),
        mime=mime,
        model="flux-pro",
        created_at=CREATED_AT,
        title="lake",
        state_dir=state_dir,
    )


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunks.append((kind, data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return chunks


def png_from_chunks(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = b"\x89PNG\r\n\x1a\n"
    for kind, body in chunks:
        out += struct.pack(">I", len(body)) + kind + body
        out += struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return out


def repaint_one_pixel(data: bytes) -> bytes:
    """A well-formed PNG, manifest untouched, with one pixel changed: what a forger would do."""
    chunks = png_chunks(data)
    pixels = bytearray(zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT")))
    pixels[1 + 3 * 10] ^= 0xFF  # row 0 (after its filter byte), pixel 10, red
    first_idat = next(i for i, (kind, _) in enumerate(chunks) if kind == b"IDAT")
    rest = [chunk for chunk in chunks[first_idat:] if chunk[0] != b"IDAT"]
    return png_from_chunks([*chunks[:first_idat], (b"IDAT", zlib.compress(pixels)), *rest])


@pytest.mark.parametrize("mime", sorted(FORMATS))
def test_sandbox_image_reads_as_validly_signed_by_an_untrusted_signer(picture, tmp_path, mime):
    provenance = read_provenance(signed(picture, mime, tmp_path), mime)

    assert provenance == Provenance(
        present=True,
        generator="Depicta",
        action="c2pa.created",
        model="flux-pro",
        signer="Depicta Sandbox Signer",
        signed_at=CREATED_AT,
        ai_generated=True,
        validation=VALID_UNTRUSTED,
        errors=(),
    )
    assert provenance.is_valid
    assert not provenance.is_trusted


def test_reads_from_a_path(picture, tmp_path):
    path = tmp_path / "lake.png"
    path.write_bytes(signed(picture, "image/png", tmp_path))
    assert read_provenance(path, "image/png").validation == VALID_UNTRUSTED


def test_signer_is_trusted_once_its_root_is_a_trust_anchor(picture, tmp_path):
    root = ensure_certificate_chain(tmp_path).root_pem
    provenance = read_provenance(
        signed(picture, "image/png", tmp_path), "image/png", extra_trust_anchors=root
    )
    assert provenance.validation == VALID
    assert provenance.is_trusted


def test_repainted_pixels_make_the_credentials_invalid(picture, tmp_path):
    forged = repaint_one_pixel(signed(picture, "image/png", tmp_path))
    assert Image.open(io.BytesIO(forged)).convert("RGB").tobytes() != picture.tobytes()

    provenance = read_provenance(forged, "image/png")

    assert provenance.present
    assert not provenance.is_valid
    assert provenance.validation == "invalid: the image was changed after it was signed"
    assert any(error.startswith("assertion.dataHash.mismatch") for error in provenance.errors)
    # The claims are still reported, so the page can say what the file pretends to be.
    assert provenance.generator == "Depicta"


def test_a_flipped_byte_in_the_pixel_data_is_not_valid(picture, tmp_path):
    data = bytearray(signed(picture, "image/png", tmp_path))
    data[data.index(b"IDAT") + 100] ^= 0x01
    provenance = read_provenance(bytes(data), "image/png")
    assert provenance.validation.startswith("invalid: ")
    assert not provenance.is_valid


def test_a_damaged_manifest_is_not_valid(picture, tmp_path):
    data = bytearray(signed(picture, "image/png", tmp_path))
    manifest_start = data.index(b"caBX")
    data[manifest_start + 300 : manifest_start + 340] = b"\xff" * 40
    provenance = read_provenance(bytes(data), "image/png")
    assert provenance.validation.startswith("invalid: ")
    assert not provenance.is_valid


@pytest.mark.parametrize("mime", sorted(FORMATS))
def test_unsigned_image_reads_as_missing(picture, mime):
    provenance = read_provenance(encode(picture, FORMATS[mime]), mime)
    assert provenance == Provenance(present=False, validation=MISSING)
    assert not provenance.is_valid


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n"])
def test_unreadable_bytes_do_not_raise(data):
    provenance = read_provenance(data, "image/png")
    assert not provenance.present
    assert not provenance.is_valid


def test_the_reading_side_does_not_depend_on_the_sandbox():
    # A fresh interpreter, so nothing the tests imported can hide a dependency.
    code = (
        "import sys, depicta_web.lib.provenance; "
        "sys.exit(any(name.startswith('depicta_web.sandbox') for name in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
