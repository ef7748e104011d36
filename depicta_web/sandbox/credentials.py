"""Real C2PA Content Credentials for sandbox images, signed offline with a self-made chain.

The sandbox plays Depicta, which marks every image with a signed C2PA manifest. It signs with
a root CA and signing certificate it makes for itself on first use (ES256, P-256), and with no
timestamp authority, so nothing here touches the network. Any C2PA reader will find the
signature valid and the signer absent from its trust lists, which is the honest description.
"""

import io
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from depicta_web.depicta.schema import MIME_TYPES

GENERATOR_NAME = "Depicta"
GENERATOR_VERSION = "1.0.0-sandbox"
GENERATION_ASSERTION = "ai.depicta.generation"
# The IPTC digital source type that declares "made by a trained model": the C2PA AI marker.
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SUPPORTED_MIME_TYPES = frozenset(MIME_TYPES.values())

ORGANIZATION = "depicta-web sandbox"
SIGNER_COMMON_NAME = "Depicta Sandbox Signer"
ROOT_COMMON_NAME = "Depicta Sandbox Root CA"

CREDENTIALS_DIR = "content-credentials"
CHAIN_FILE = "signer-chain.pem"  # signing certificate first, then the root: what c2pa embeds
KEY_FILE = "signer-key.pem"
ROOT_FILE = "root-ca.pem"

ROOT_LIFETIME = timedelta(days=365 * 20)
SIGNER_LIFETIME = timedelta(days=365 * 10)
# Backdated so a process whose clock runs a little behind still finds the certificates valid.
CLOCK_SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class CertificateChain:
    directory: Path
    chain_pem: str
    private_key_pem: str
    root_pem: str


def ensure_certificate_chain(state_dir: Path) -> CertificateChain:
    """The sandbox's signing chain under `state_dir`, made on the first call and reused after."""
    directory = Path(state_dir) / CREDENTIALS_DIR
    if not (directory / CHAIN_FILE).exists():
        _create_chain_directory(directory)
    return CertificateChain(
        directory=directory,
        chain_pem=(directory / CHAIN_FILE).read_text(),
        private_key_pem=(directory / KEY_FILE).read_text(),
        root_pem=(directory / ROOT_FILE).read_text(),
    )


def sign_image(
    data: bytes, *, mime: str, model: str, created_at: datetime, title: str, state_dir: Path
) -> bytes:
    """`data` with a signed C2PA manifest embedded: created by Depicta with `model`, AI-made."""
    if mime not in SUPPORTED_MIME_TYPES:
        raise ValueError(f"cannot sign {mime!r}; expected one of {sorted(SUPPORTED_MIME_TYPES)}")
    definition = manifest_definition(model=model, created_at=created_at, title=title)
    signed = io.BytesIO()
    with c2pa.Builder(definition, context=_builder_context()) as builder:
        builder.sign(_signer(Path(state_dir)), mime, io.BytesIO(data), signed)
    return signed.getvalue()


def manifest_definition(*, model: str, created_at: datetime, title: str) -> dict[str, Any]:
    """The manifest Depicta would write for a freshly generated image."""
    when = _utc_timestamp(created_at)
    return {
        "claim_generator_info": [{"name": GENERATOR_NAME, "version": GENERATOR_VERSION}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": {"name": model},
                            "when": when,
                        }
                    ]
                },
            },
            {
                "label": GENERATION_ASSERTION,
                "data": {"model": model, "ai_generated": True, "created_at": when},
            },
        ],
    }


def _utc_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        # A naive time could be any zone; a signed claim must not guess.
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Signing is cheap once the signer is loaded, so it is loaded once per process and chain.
_cache_lock = threading.Lock()
_signers: dict[tuple[int, Path], c2pa.Signer] = {}
_contexts: dict[int, c2pa.Context] = {}


def _signer(state_dir: Path) -> c2pa.Signer:
    # The pid is part of the key: a native handle inherited across fork() is not to be trusted.
    key = (os.getpid(), state_dir.resolve())
    with _cache_lock:
        if key not in _signers:
            chain = ensure_certificate_chain(state_dir)
            info = c2pa.C2paSignerInfo(
                c2pa.C2paSigningAlg.ES256,
                chain.chain_pem.encode(),
                chain.private_key_pem.encode(),
                None,  # no timestamp authority: the sandbox stays offline
            )
            _signers[key] = c2pa.Signer.from_info(info)
        return _signers[key]


def _builder_context() -> c2pa.Context:
    with _cache_lock:
        if os.getpid() not in _contexts:
            # No embedded thumbnail: the asset is its own picture, and making one costs more
            # than the whole signature (30-80 ms and up to a megabyte per 1K image).
            settings = {"builder": {"thumbnail": {"enabled": False}}}
            _contexts[os.getpid()] = c2pa.Context.from_dict(settings)
        return _contexts[os.getpid()]


# Making the chain.


def _create_chain_directory(directory: Path) -> None:
    """Write the three files into a private staging directory, then rename it into place.

    Renaming a directory is atomic and, unlike a file, never replaces a non-empty one: when
    several processes start at once, the first to finish wins and the rest adopt its chain,
    so a key can never be paired with another process's certificate.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{CREDENTIALS_DIR}-", dir=directory.parent))
    try:
        for name, (content, mode) in _generate_chain_files().items():
            _write_new_file(staging / name, content, mode)
        try:
            os.rename(staging, directory)
        except OSError:
            if not (directory / CHAIN_FILE).exists():
                raise  # not a lost race: a real failure
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_new_file(path: Path, content: bytes, mode: int) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def _generate_chain_files() -> dict[str, tuple[bytes, int]]:
    now = datetime.now(UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _root_certificate(root_key, now)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = _signer_certificate(signer_key, root, root_key, now)
    pem = serialization.Encoding.PEM
    key_pem = signer_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        CHAIN_FILE: (signer.public_bytes(pem) + root.public_bytes(pem), 0o644),
        KEY_FILE: (key_pem, 0o600),
        ROOT_FILE: (root.public_bytes(pem), 0o644),
    }


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
        ]
    )


def _key_usage(*, digital_signature: bool, certificate_signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certificate_signing,
        crl_sign=certificate_signing,
        encipher_only=False,
        decipher_only=False,
    )


def _root_certificate(key: ec.EllipticCurvePrivateKey, now: datetime) -> x509.Certificate:
    name = _name(ROOT_COMMON_NAME)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + ROOT_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(digital_signature=False, certificate_signing=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _signer_certificate(
    key: ec.EllipticCurvePrivateKey,
    root: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
    now: datetime,
) -> x509.Certificate:
    """An end-entity certificate inside the C2PA signing profile.

    Tried against c2pa 0.91: the signer must not be self-signed or a CA, and needs key usage
    digitalSignature, an authority key identifier and an extended key usage; of the EKUs,
    emailProtection is the one c2pa both signs with and validates by default.
    """
    return (
        x509.CertificateBuilder()
        .subject_name(_name(SIGNER_COMMON_NAME))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + SIGNER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, certificate_signing=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
