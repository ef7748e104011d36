"""Where our copies live in media storage. Names are content-addressed: the same bytes always
get the same name and a name never changes, so files can be cached for a year."""

import re

# Our file extension for each of Depicta's formats.
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp"}
THUMBNAIL_WIDTHS = (400, 800)
# Any name this module makes, and nothing else (the media view serves only these).
MEDIA_NAME = re.compile(r"^(originals|thumbs)/[0-9a-f]{2}/[0-9a-f]{64}(-\d+)?\.(png|jpg|webp)$")


def content_path(sha256: str, extension: str) -> str:
    """An original: `originals/ab/<sha256>.png`."""
    return f"originals/{sha256[:2]}/{sha256}.{extension}"


def original_name(sha256: str, fmt: str) -> str:
    return content_path(sha256, EXTENSIONS.get(fmt, fmt))


def thumbnail_name(sha256: str, width: int) -> str:
    """A WebP thumbnail: `thumbs/ab/<sha256>-400.webp`."""
    return f"thumbs/{sha256[:2]}/{sha256}-{width}.webp"
