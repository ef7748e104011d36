"""Checking a stored original again, on request: its hash and its Content Credentials."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from depicta_web.generations.models import ImageFile
from depicta_web.lib.provenance import Provenance, read_provenance

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Verification:
    file: ImageFile
    sha256: str
    size_bytes: int
    provenance: Provenance
    checked_at: object

    @property
    def hash_matches(self) -> bool:
        """The stored bytes are still the bytes we copied (and Depicta reported)."""
        expected = self.file.expected_sha256 or self.file.sha256
        return self.sha256 == self.file.sha256 == expected

    @property
    def ok(self) -> bool:
        return self.hash_matches and (self.provenance.is_valid or not self.provenance.present)


def file_verify(*, file: ImageFile) -> Verification:
    """Re-hash the stored file and read its Content Credentials again, now."""
    digest, size = hashlib.sha256(), 0
    with default_storage.open(file.storage_name, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        handle.seek(0)
        provenance = read_provenance(handle.read(), file.mime)
    return Verification(
        file=file,
        sha256=digest.hexdigest(),
        size_bytes=size,
        provenance=provenance,
        checked_at=timezone.now(),
    )
