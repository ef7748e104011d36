"""Deterministic stand-in pictures for the sandbox: layered landscapes steered by the prompt.

The same arguments always give the same pixels: every choice comes from a private
`random.Random` seeded with the SHA-256 of the arguments, never from global random state.
Soft layers (sky, glow, clouds) are painted at 1/8 scale and upscaled; silhouettes are drawn
as masks sampled twice as finely in height, whose edges come out antialiased when the mask is
resized; small crisp details (sun, stars, windows) are drawn at full resolution.

Work at full resolution is kept to where it changes pixels: silhouettes are blended only along
their edges (plain fills below), the sky is upscaled only where it shows, the vignette only
outside the circle it leaves alone, and the grain comes from a cached tile. `stage_costs`
(`python -m depicta_web.sandbox.render`) measures each stage, encodes and signatures included.
"""

import bisect
import colorsys
import functools
import hashlib
import io
import itertools
import json
import math
import random
import re
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]

ASPECT_RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "2:3": (2, 3),
    "3:2": (3, 2),
    "3:4": (3, 4),
    "4:3": (4, 3),
    "4:5": (4, 5),
    "5:4": (5, 4),
    "9:16": (9, 16),
    "16:9": (16, 9),
    "21:9": (21, 9),
}
LONG_EDGE: dict[str, int] = {"1K": 1024, "2K": 2048, "4K": 4096}
FORMATS = ("png", "jpeg", "webp")

# Words that steer the scene; anything else leaves the choice to the seed.
MOOD_WORDS: dict[str, frozenset[str]] = {
    "night": frozenset({"night", "midnight", "moon", "moonlit", "star", "starry", "nocturnal"}),
    "sunset": frozenset(
        {"sunset", "sunrise", "dusk", "dawn", "golden", "evening", "twilight", "sundown"}
    ),
    "day": frozenset({"day", "noon", "morning", "sunny", "bright", "daylight", "summer"}),
}
TERRAIN_WORDS: dict[str, frozenset[str]] = {
    "waves": frozenset(
        {"sea", "ocean", "wave", "beach", "coast", "lake", "harbor", "harbour", "water", "boat"}
    ),
    "mountains": frozenset({"mountain", "alp", "peak", "snow", "volcano", "cliff", "glacier"}),
    "forest": frozenset({"forest", "tree", "wood", "jungle", "pine", "garden", "park", "grove"}),
    "dunes": frozenset({"desert", "dune", "sand", "sahara", "canyon", "savanna"}),
    "city": frozenset({"city", "skyline", "town", "street", "urban", "building", "tower", "neon"}),
    "hills": frozenset({"hill", "meadow", "field", "valley", "countryside", "farm"}),
}
# Land hues that make a terrain read as itself (HSV hue, 0..1).
TERRAIN_HUES: dict[str, float] = {"forest": 0.33, "waves": 0.55, "dunes": 0.08, "hills": 0.27}


@dataclass(frozen=True)
class Palette:
    sky: tuple[Color, Color, Color]  # top, middle, horizon
    light: Color  # sun or moon, and its glow
    cloud: Color
    far: Color  # the most distant silhouette
    near: Color  # the closest silhouette


@dataclass(frozen=True)
class Scene:
    mood: str  # "day", "sunset" or "night"
    terrain: str  # a key of TERRAIN_WORDS
    palette: Palette
    horizon: float  # fraction of the height
    layers: int
    body_x: float  # sun or moon centre, fractions of width and height
    body_y: float
    body_radius: float  # fraction of the short edge
    crescent: bool
    clouds: int
    grain: int  # amplitude in levels, either side of zero


def pixel_size(aspect_ratio: str, image_size: str) -> tuple[int, int]:
    """Width and height for a Depicta aspect ratio and size, the short edge a multiple of 8."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}")
    if image_size not in LONG_EDGE:
        raise ValueError(f"unknown image size {image_size!r}")
    ratio_w, ratio_h = ASPECT_RATIOS[aspect_ratio]
    long_edge = LONG_EDGE[image_size]
    short_edge = round(long_edge * min(ratio_w, ratio_h) / max(ratio_w, ratio_h) / 8) * 8
    return (long_edge, short_edge) if ratio_w >= ratio_h else (short_edge, long_edge)


def render_image(
    *, prompt: str, model: str, aspect_ratio: str, image_size: str, draft: bool = False
) -> Image.Image:
    """Paint the picture these arguments always give (RGB).

    `draft` paints at a quarter of the size, upscales and adds no grain: the same scene, soft,
    for about half the CPU of the full paint (about 18 against 36 ms at 1K), and cheaper to
    encode: about 70 against 100 ms a 1K picture with its three encodes and signatures. A full
    render is cheap enough for benchmarks; `stage_costs` measures both."""
    size = pixel_size(aspect_ratio, image_size)
    if draft:
        small = (max(size[0] // 4, 16), max(size[1] // 4, 16))
        picture = _paint(prompt, model, aspect_ratio, image_size, small, grain=False)
        return picture.resize(size, Image.Resampling.BICUBIC)
    return _paint(prompt, model, aspect_ratio, image_size, size, grain=True)


def _paint(
    prompt: str,
    model: str,
    aspect_ratio: str,
    image_size: str,
    size: tuple[int, int],
    *,
    grain: bool,
    lap: Callable[[str], None] = lambda stage: None,
) -> Image.Image:
    rng = random.Random(_seed(prompt, model, aspect_ratio, image_size))
    scene = plan_scene(prompt, rng)
    lap("plan")
    # The silhouettes are drawn first so that the sky is only made where it shows.
    landscape = _plan_landscape(scene, size, rng)
    lap("landscape")
    canvas = _paint_sky(scene, size, rng, rows=landscape.sky_rows())
    lap("sky")
    if scene.mood == "night":
        _draw_stars(canvas, scene, rng)
    _draw_body(canvas, scene)
    lap("stars and body")
    _draw_landscape(canvas, scene, landscape, rng)
    lap("landscape")
    _vignette(canvas)
    lap("vignette")
    if grain:
        canvas = _add_grain(canvas, scene.grain, rng)
        lap("grain")
    return canvas


def encode(image: Image.Image, fmt: str) -> bytes:
    """The image as PNG, JPEG or WebP bytes, tuned for speed over the last byte of size."""
    fmt = fmt.lower()
    if fmt == "png":
        return _encode_png(image)
    out = io.BytesIO()
    if fmt in ("jpeg", "jpg"):
        image.save(out, "JPEG", quality=90)
    elif fmt == "webp":
        # Method 0 takes about half the time of method 2 (at 1K: 23 against 40 ms) for a
        # picture as good, in a file a sixth larger (47 against 40 KB).
        image.save(out, "WEBP", quality=85, method=0)
    else:
        raise ValueError(f"unsupported format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return out.getvalue()


def _encode_png(image: Image.Image) -> bytes:
    """A PNG with every row Up-filtered (less the row above), deflated at level 1.

    Pillow's encoder tries four filters on every row, which costs about as much as deflating
    at its fastest; one fixed filter computed in a single image operation costs a fraction of
    that. Up suits these pictures, whose skies change slowly downwards, whose silhouettes are
    flat, and whose grain repeats every other row: at 1K this takes 27 ms for 412 KB where
    Pillow took 76 ms for 424 KB at level 3 (57 ms for 476 KB at level 1).
    """
    if image.mode != "RGB":
        out = io.BytesIO()
        image.save(out, "PNG", compress_level=1)
        return out.getvalue()
    width, height = image.size
    up = ImageChops.subtract_modulo(image, ImageChops.offset(image, 0, 1))
    up.paste(image.crop((0, 0, width, 1)))  # the first row has only zeros above it
    filtered = memoryview(up.tobytes())
    stride = width * 3
    # Each row is prefixed with its filter type, 2 for Up.
    rows = b"\x02" + b"\x02".join(filtered[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows, 1)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return b"".join(
        (struct.pack(">I", len(data)), kind, data, struct.pack(">I", zlib.crc32(kind + data)))
    )


def _seed(*arguments: str) -> int:
    digest = hashlib.sha256(json.dumps(arguments).encode()).digest()
    return int.from_bytes(digest[:16], "big")


# Planning: every random choice happens here or in the drawing helpers, in a fixed order.


def plan_scene(prompt: str, rng: random.Random) -> Scene:
    words = _words(prompt)
    mood = _pick(words, MOOD_WORDS) or rng.choices(["day", "sunset", "night"], [5, 3, 2])[0]
    terrain = _pick(words, TERRAIN_WORDS) or rng.choice(["hills", "mountains", "waves", "dunes"])
    palette = _palette(mood, terrain, rng)
    low_sun = mood == "sunset"
    return Scene(
        mood=mood,
        terrain=terrain,
        palette=palette,
        horizon=rng.uniform(0.55, 0.66) if terrain != "mountains" else rng.uniform(0.62, 0.72),
        layers=rng.randint(3, 5) if terrain != "waves" else rng.randint(4, 6),
        body_x=rng.uniform(0.18, 0.82),
        body_y=rng.uniform(0.42, 0.55) if low_sun else rng.uniform(0.12, 0.32),
        body_radius=rng.uniform(0.08, 0.13) if low_sun else rng.uniform(0.035, 0.065),
        crescent=mood == "night" and rng.random() < 0.6,
        clouds=rng.randint(0, 3) if mood == "night" else rng.randint(2, 7),
        grain=rng.randint(3, 5),
    )


def _words(prompt: str) -> set[str]:
    words = set(re.findall(r"[a-z]+", prompt.lower()))
    # A crude singular so "mountains" and "waves" count as their keywords.
    return words | {word[:-1] for word in words if word.endswith("s") and len(word) > 3}


def _pick(words: set[str], vocabulary: dict[str, frozenset[str]]) -> str | None:
    for name, keywords in vocabulary.items():
        if words & keywords:
            return name
    return None


def _palette(mood: str, terrain: str, rng: random.Random) -> Palette:
    base = rng.random()
    # Harmonious schemes: analogous, complementary, triadic, split-complementary.
    land_offset = rng.choice([0.08, -0.08, 0.5, 1 / 3, 0.42])
    land = TERRAIN_HUES.get(terrain, (base + land_offset) % 1) + rng.uniform(-0.04, 0.04)
    if mood == "night":
        sky = rng.choice([0.5, 0.6, 0.68]) + rng.uniform(-0.03, 0.03)  # teal, blue or indigo
        return Palette(
            sky=(_hsv(sky, 0.6, 0.09), _hsv(sky + 0.03, 0.5, 0.2), _hsv(sky + 0.08, 0.35, 0.4)),
            light=_hsv(0.14, 0.1, 0.97),
            cloud=_hsv(sky, 0.2, 0.45),
            far=_mix(_hsv(sky + 0.02, 0.35, 0.32), _hsv(land, 0.35, 0.32), 0.5),
            near=_hsv(land, 0.4, 0.06),
        )
    if mood == "sunset":
        sky = rng.uniform(0.7, 0.86)
        return Palette(
            sky=(
                _hsv(sky, 0.55, 0.35),
                _hsv(rng.uniform(0.92, 1.0), 0.5, 0.78),
                _hsv(rng.uniform(0.06, 0.12), 0.65, 1.0),
            ),
            light=_hsv(0.12, 0.35, 1.0),
            cloud=_hsv(0.03, 0.35, 0.95),
            far=_hsv(sky + 0.1, 0.3, 0.6),
            near=_hsv(sky - 0.04, 0.55, 0.12),
        )
    # Day: usually a blue sky, sometimes a stylised one from the prompt's own hue.
    sky = rng.uniform(0.53, 0.62) if rng.random() < 0.6 else base
    return Palette(
        sky=(_hsv(sky, 0.55, 0.8), _hsv(sky + 0.02, 0.35, 0.92), _hsv(sky + 0.08, 0.12, 0.99)),
        light=_hsv(0.14, 0.12, 1.0),
        cloud=_hsv(sky, 0.05, 1.0),
        far=_hsv(land, 0.22, 0.8),
        near=_hsv(land, 0.6, 0.3),
    )


def _hsv(hue: float, saturation: float, value: float) -> Color:
    r, g, b = colorsys.hsv_to_rgb(hue % 1, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def _mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


# Painting.


def _paint_sky(
    scene: Scene, size: tuple[int, int], rng: random.Random, *, rows: int
) -> Image.Image:
    """Gradient, glow and clouds, painted at 1/8 scale and upscaled: it is all soft.

    Only the top `rows` rows are upscaled (the rest stays black, for the landscape covers it).
    """
    width, height = size
    small = (max(width // 8, 8), max(height // 8, 8))
    sky = _vertical_gradient(scene.palette.sky, small, scene.horizon)
    short = min(small)
    glow_size = round(short * scene.body_radius * (7 if scene.mood == "sunset" else 5))
    if glow_size > 2:
        strength = {"day": 0.55, "sunset": 0.9, "night": 0.35}[scene.mood]
        glow = _radial_mask(glow_size, strength)
        centre = (round(scene.body_x * small[0]), round(scene.body_y * small[1]))
        sky.paste(
            scene.palette.light,
            (centre[0] - glow_size // 2, centre[1] - glow_size // 2),
            glow,
        )
    _paint_clouds(sky, scene, rng)
    if rows >= height:
        return sky.resize(size, Image.Resampling.BICUBIC)
    canvas = Image.new("RGB", size)
    if rows > 0:
        # A box gives the same pixels as those rows of the whole resize, for less work.
        box = (0, 0, sky.width, rows * sky.height / height)
        canvas.paste(sky.resize((width, rows), Image.Resampling.BICUBIC, box=box))
    return canvas


def _vertical_gradient(
    stops: tuple[Color, Color, Color], size: tuple[int, int], horizon: float
) -> Image.Image:
    height = size[1]
    top, middle, bottom = stops
    column = Image.new("RGB", (1, height))
    pixels = []
    for row in range(height):
        # The sky reaches its horizon colour at the horizon and keeps it below.
        t = min(row / max(height * horizon, 1), 1.0)
        eased = t * t * (3 - 2 * t)
        pixels.append(
            _mix(top, middle, eased * 2) if eased < 0.5 else _mix(middle, bottom, eased * 2 - 1)
        )
    column.putdata(pixels)
    return column.resize(size, Image.Resampling.BILINEAR)


def _radial_mask(diameter: int, strength: float) -> Image.Image:
    """An L mask: `strength` at the centre, fading smoothly to nothing at the rim."""
    distance = Image.radial_gradient("L").resize((diameter, diameter), Image.Resampling.BILINEAR)
    return distance.point(lambda d: round(255 * strength * max(0.0, 1 - d / 128) ** 2.2))


def _paint_clouds(sky: Image.Image, scene: Scene, rng: random.Random) -> None:
    width, height = sky.size
    mask = Image.new("L", sky.size, 0)
    draw = ImageDraw.Draw(mask)
    for _ in range(scene.clouds):
        cx = rng.uniform(-0.1, 1.1) * width
        cy = rng.uniform(0.08, scene.horizon * 0.7) * height
        span = rng.uniform(0.12, 0.35) * width
        opacity = rng.randint(70, 150) if scene.mood != "night" else rng.randint(30, 70)
        for _ in range(rng.randint(3, 6)):  # a cloud is a few overlapping puffs
            px = cx + rng.uniform(-0.5, 0.5) * span
            py = cy + rng.uniform(-0.12, 0.12) * span
            rx, ry = span * rng.uniform(0.2, 0.4), span * rng.uniform(0.06, 0.12)
            draw.ellipse((px - rx, py - ry, px + rx, py + ry), fill=opacity)
    blurred = mask.filter(ImageFilter.GaussianBlur(max(width, height) / 90))
    sky.paste(scene.palette.cloud, (0, 0), blurred)


def _draw_stars(canvas: Image.Image, scene: Scene, rng: random.Random) -> None:
    width, height = canvas.size
    draw = ImageDraw.Draw(canvas)
    count = round(width * height / 4000)
    big = max(1, round(max(width, height) / 1024))
    for _ in range(count):
        x, y = rng.uniform(0, width), rng.uniform(0, scene.horizon * height)
        level = rng.randint(110, 255)
        star = (level, level, min(255, level + 15))
        radius = big if rng.random() < 0.06 else big / 2
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=star)


def _draw_body(canvas: Image.Image, scene: Scene) -> None:
    """The sun or moon: a crisp disc, antialiased by drawing it 4x and averaging 4x4 blocks."""
    width, height = canvas.size
    radius = max(2, round(min(width, height) * scene.body_radius))
    diameter = radius * 2
    big = Image.new("L", (diameter * 4, diameter * 4), 0)
    draw = ImageDraw.Draw(big)
    draw.ellipse((0, 0, diameter * 4 - 1, diameter * 4 - 1), fill=255)
    if scene.crescent:
        shift = diameter * 4 * 0.3
        draw.ellipse((shift, -shift / 3, diameter * 4 - 1 + shift, diameter * 4 - 1 - shift / 3), 0)
    disc = big.reduce(4)
    centre = (round(scene.body_x * width), round(scene.body_y * height))
    canvas.paste(scene.palette.light, (centre[0] - radius, centre[1] - radius), disc)


LAYER_COLUMN = 64  # pixels: landscape layers are blended in columns this wide
LAYER_REACH = 4  # pixels: how far drawing spreads once filtered, with the rasteriser's rounding


class _LayerMask:
    """An L mask drawn in full-resolution coordinates, stored at half width and double height.

    The long, nearly flat edges of ridges are what shows stair steps; sampling vertically at
    twice the final resolution and averaging on the way down antialiases them cheaply.

    Shapes are recorded first and rasterised when painted, only over the rows where the mask
    is neither empty nor full, so that a landscape of several layers can be planned before
    the sky is painted without holding every mask at full size. Painting works in columns of
    `LAYER_COLUMN` pixels: in each, only the band between the highest point drawn there and
    the row from which the mask is known to be full is resized and blended; below it the
    colour is a plain fill, above it nothing is touched. That is a fraction of the picture,
    with the same pixels as blending the whole mask.
    """

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.scale_x = max(size[0] // 2, 1) / size[0]
        # What is drawn, in full-size coordinates: polygons, and rectangles as their corners.
        self._polygons: list[list[tuple[float, float]]] = []
        self._rectangles: list[tuple[float, float, float, float]] = []
        columns = math.ceil(size[0] / LAYER_COLUMN)
        self.tops = [float(size[1])] * columns  # the highest row drawn on, per column
        self.solids = [float(size[1])] * columns  # rows below this are entirely covered

    def fill_below(self, ridge: list[tuple[float, float]]) -> None:
        """Everything under a ridge that spans the whole width, its points left to right."""
        width, height = self.size
        self._polygons.append([*ridge, (width, height), (0, height)])
        xs, ys = [x for x, _ in ridge], [y for _, y in ridge]
        for column in range(len(self.tops)):
            left, right = self._reach(column)
            # The points within reach and one more each side: the segments that enter.
            first = max(bisect.bisect_left(xs, left) - 1, 0)
            heights = ys[first : bisect.bisect_right(xs, right) + 1]
            if heights:
                self.tops[column] = min(self.tops[column], *heights)
                self.solids[column] = min(self.solids[column], max(heights))

    def polygon(self, points: list[tuple[float, float]]) -> None:
        self._polygons.append(points)
        xs = [x for x, _ in points]
        self._raise(min(xs), max(xs), min(y for _, y in points))

    def rectangle(self, box: tuple[float, float, float, float]) -> None:
        self._rectangles.append(box)
        self._raise(box[0], box[2], box[1])

    def _raise(self, x0: float, x1: float, top: float) -> None:
        """Note drawing between x0 and x1 up to `top` in every column it can reach."""
        first = max(math.floor((x0 - LAYER_REACH) / LAYER_COLUMN), 0)
        last = min(math.floor((x1 + LAYER_REACH) / LAYER_COLUMN), len(self.tops) - 1)
        for column in range(first, last + 1):
            self.tops[column] = min(self.tops[column], top)

    def _reach(self, column: int) -> tuple[float, float]:
        """The span of x whose drawing can reach the column, once filtered."""
        return column * LAYER_COLUMN - LAYER_REACH, (column + 1) * LAYER_COLUMN + LAYER_REACH

    def rows(self, column: int) -> tuple[int, int]:
        """The rows a column's band spans: above it the mask is empty, below it full."""
        height = self.size[1]
        # Two rows of margin each side cover the filter's reach while shrinking.
        top = min(max(math.floor(self.tops[column]) - 2, 0), height)
        return top, min(max(math.ceil(self.solids[column]) + 2, top), height)

    def raster(self, first: int, last: int) -> Image.Image:
        """The mask's rows `first` to `last` (of the double-height mask) drawn."""
        image = Image.new("L", (max(self.size[0] // 2, 1), last - first), 0)
        draw = ImageDraw.Draw(image)
        for points in self._polygons:
            draw.polygon([(x * self.scale_x, y * 2 - first) for x, y in points], fill=255)
        for x0, y0, x1, y1 in self._rectangles:
            box = (x0 * self.scale_x, y0 * 2 - first, x1 * self.scale_x, y1 * 2 - first)
            draw.rectangle(box, fill=255)
        return image

    def paint(self, canvas: Image.Image, color: Color) -> None:
        """Lay `color` on `canvas` through the mask, resized to the canvas."""
        width, height = self.size
        bands = [self.rows(column) for column in range(len(self.tops))]
        blended = [(top, solid) for top, solid in bands if solid > top]
        first, last = 0, 0
        if blended:
            # Rows beyond these, all empty above and all full below, are never read.
            first = max(2 * min(top for top, _ in blended) - 8, 0)
            last = min(2 * max(solid for _, solid in blended) + 8, 2 * height)
        image = self.raster(first, last)
        for column, (top, solid) in enumerate(bands):
            left, right = column * LAYER_COLUMN, min((column + 1) * LAYER_COLUMN, width)
            if solid > top:
                box = (left, top, right, solid)
                band = _resize_part(image, box, (self.scale_x, 2), origin=(0, first))
                canvas.paste(color, box, band)
            if solid < height:
                canvas.paste(color, (left, solid, right, height))


def _resize_part(
    image: Image.Image,
    box: Box,
    scale: tuple[float, float],
    *,
    origin: tuple[int, int] = (0, 0),
    margin: int = 4,
) -> Image.Image:
    """The part `box` of a bilinear resize by `1 / scale` of an image, of which `image` holds
    the part from `origin` on: the same pixels as resizing it whole, when what `image` leaves
    out is what the filter finds at its edges anyway.

    Pillow's resize with a box still walks every column of the source, so the source is
    cropped first, keeping `margin` pixels around the box for the filter to read.
    """
    left, top, right, bottom = box
    sx, sy = scale
    ox, oy = origin
    crop = (
        max(math.floor(left * sx) - ox - margin, 0),
        max(math.floor(top * sy) - oy - margin, 0),
        min(math.ceil(right * sx) - ox + margin, image.width),
        min(math.ceil(bottom * sy) - oy + margin, image.height),
    )
    x0, y0 = ox + crop[0], oy + crop[1]
    return image.crop(crop).resize(
        (right - left, bottom - top),
        Image.Resampling.BILINEAR,
        box=(left * sx - x0, top * sy - y0, right * sx - x0, bottom * sy - y0),
    )


@dataclass
class _Landscape:
    size: tuple[int, int]
    layers: list[tuple[_LayerMask, Color]]  # farthest first
    windows: list[tuple[float, float, float, float]]  # lit at night

    def sky_rows(self) -> int:
        """How many rows from the top the sky can show in: below, a silhouette hides it all."""
        if not self.layers:
            return self.size[1]
        columns = range(len(self.layers[0][0].tops))
        return max(min(mask.rows(column)[1] for mask, _ in self.layers) for column in columns)


def _plan_landscape(scene: Scene, size: tuple[int, int], rng: random.Random) -> _Landscape:
    """The silhouettes, drawn as masks but not yet painted, and the windows to light."""
    landscape = _Landscape(size=size, layers=[], windows=[])
    for index in range(scene.layers):
        depth = index / max(scene.layers - 1, 1)  # 0 = farthest, 1 = nearest
        color = _mix(scene.palette.far, scene.palette.near, depth**0.8)
        mask = _LayerMask(size)
        if scene.terrain == "city":
            landscape.windows += _draw_buildings(mask, scene, depth, rng)
        else:
            ridge = _ridge_points(size, scene, depth, rng)
            mask.fill_below(ridge)
            if scene.terrain == "forest" and depth > 0.2:
                _draw_trees(mask, ridge, depth, rng)
        landscape.layers.append((mask, color))
    return landscape


def _draw_landscape(
    canvas: Image.Image, scene: Scene, landscape: _Landscape, rng: random.Random
) -> None:
    for mask, color in landscape.layers:
        mask.paint(canvas, color)
    if scene.terrain == "waves":
        _draw_glitter(canvas, scene, rng)
    if landscape.windows and scene.mood != "day":
        draw = ImageDraw.Draw(canvas)
        lit = _mix(scene.palette.light, (255, 190, 90), 0.6)
        for window in landscape.windows:
            draw.rectangle(window, fill=lit)


def _ridge_points(
    size: tuple[int, int], scene: Scene, depth: float, rng: random.Random
) -> list[tuple[float, float]]:
    """The top edge of one silhouette layer, in pixels."""
    width, height = size
    horizon = scene.horizon * height
    below = height - horizon
    samples = 256
    if scene.terrain == "mountains":
        base = horizon + below * 0.45 * depth
        amplitude = height * (0.22 - 0.13 * depth)
        offsets = _midpoint_displacement(samples, rng, roughness=0.55)
    elif scene.terrain == "waves":
        base = horizon + below * (0.9 * depth**1.4)
        amplitude = height * (0.004 + 0.03 * depth**2)
        offsets = _waves(samples, rng, frequency=rng.uniform(5, 10) * (1.4 - depth * 0.6))
    elif scene.terrain == "dunes":
        base = horizon + below * (0.1 + 0.55 * depth)
        amplitude = height * (0.05 + 0.06 * depth)
        offsets = _dunes(samples, rng)
    else:
        base = horizon + below * (0.05 + 0.55 * depth)
        amplitude = height * (0.05 + 0.07 * (1 - depth))
        offsets = _sines(samples, rng, octaves=3)
    return [
        (width * i / (samples - 1), base - amplitude * offset) for i, offset in enumerate(offsets)
    ]


def _sines(samples: int, rng: random.Random, *, octaves: int) -> list[float]:
    waves = [
        (rng.uniform(0.4, 1.2) * 2**octave, rng.uniform(0, math.tau), 0.55**octave)
        for octave in range(octaves)
    ]
    return [
        sum(amp * math.sin(math.tau * freq * i / samples + phase) for freq, phase, amp in waves)
        for i in range(samples)
    ]


def _waves(samples: int, rng: random.Random, *, frequency: float) -> list[float]:
    # |sin| gives cusped crests pointing up, the way water looks from afar.
    phase = rng.uniform(0, math.tau)
    swell = _sines(samples, rng, octaves=1)
    return [
        1 - abs(math.sin(math.pi * frequency * i / samples + phase)) + 0.4 * swell[i]
        for i in range(samples)
    ]


def _dunes(samples: int, rng: random.Random) -> list[float]:
    frequency = rng.uniform(1.0, 2.2)
    phase = rng.uniform(0, math.tau)
    values = []
    for i in range(samples):
        angle = math.tau * frequency * i / samples + phase
        # The second harmonic leans every crest, like wind-blown sand.
        values.append(math.sin(angle) + 0.35 * math.sin(2 * angle + 0.8))
    return values


def _midpoint_displacement(samples: int, rng: random.Random, *, roughness: float) -> list[float]:
    points = [rng.uniform(-0.3, 0.6), rng.uniform(-0.3, 0.6)]
    spread = 1.0
    while len(points) < samples:
        refined = []
        for left, right in itertools.pairwise(points):
            refined += [left, (left + right) / 2 + rng.uniform(-spread, spread)]
        points = [*refined, points[-1]]
        spread *= roughness
    return points[:samples]


def _draw_trees(
    mask: _LayerMask, ridge: list[tuple[float, float]], depth: float, rng: random.Random
) -> None:
    """Pines standing on the ridge: a few stacked triangles each."""
    width, height = mask.size
    tree_height = height * (0.03 + 0.1 * depth)
    x = rng.uniform(0, tree_height * 0.5)
    while x < width:
        ground = ridge[min(int(x / width * (len(ridge) - 1)), len(ridge) - 1)][1]
        tall = tree_height * rng.uniform(0.6, 1.3)
        half_width = tall * 0.22
        for tier in range(3):
            top = ground - tall + tall * 0.25 * tier
            bottom = ground - tall * 0.35 + tall * 0.25 * tier
            spread = half_width * (0.6 + 0.25 * tier)
            mask.polygon([(x, top), (x + spread, bottom), (x - spread, bottom)])
        x += tall * rng.uniform(0.25, 0.9)


def _draw_buildings(
    mask: _LayerMask, scene: Scene, depth: float, rng: random.Random
) -> list[tuple[float, float, float, float]]:
    """A row of blocks; returns the rectangles of the windows that are lit."""
    width, height = mask.size
    horizon = scene.horizon * height
    ground = horizon + (height - horizon) * 0.4 * depth
    windows = []
    x = -rng.uniform(0, 0.05) * width
    while x < width:
        block = width * rng.uniform(0.04, 0.1) * (0.7 + depth * 0.6)
        top = ground - height * rng.uniform(0.08, 0.35) * (1.1 - depth * 0.5)
        mask.rectangle((x, top, x + block, height))
        if depth > 0.4:
            step = max(block / 5, 6)
            for wy in _frange(top + step, ground, step * 1.4):
                for wx in _frange(x + step * 0.6, x + block - step, step):
                    if rng.random() < 0.28:
                        windows.append((wx, wy, wx + step * 0.45, wy + step * 0.6))
        x += block + width * rng.uniform(0.0, 0.02)
    return windows


def _frange(start: float, stop: float, step: float) -> list[float]:
    return [start + step * i for i in range(max(0, math.ceil((stop - start) / step)))]


def _draw_glitter(canvas: Image.Image, scene: Scene, rng: random.Random) -> None:
    """The sun's broken reflection on the water, straight below it."""
    width, height = canvas.size
    mask = Image.new("L", (width // 2, height // 2), 0)
    draw = ImageDraw.Draw(mask)
    horizon = scene.horizon * mask.height
    centre = scene.body_x * mask.width
    spread = min(mask.size) * scene.body_radius * 1.2
    brightness = 60 if scene.mood == "night" else 150  # moonlight is the fainter
    y = horizon + 2
    while y < mask.height:
        t = (y - horizon) / (mask.height - horizon)
        half = spread * (0.4 + 1.6 * t) * rng.uniform(0.3, 1.0)
        offset = rng.uniform(-0.3, 0.3) * spread
        draw.line(
            (centre + offset - half, y, centre + offset + half, y),
            fill=round(brightness * (1 - t) + 30),
            width=max(1, round(mask.height / 500)),
        )
        y += max(2, mask.height / 140) * (1 + 2 * t)
    box = mask.getbbox()
    if box is None:
        return
    # Resize and blend only the glittering part: a pixel of margin covers the filter's reach.
    scale_x, scale_y = width / mask.width, height / mask.height
    x0, y0 = max(box[0] - 1, 0), max(box[1] - 1, 0)
    x1, y1 = min(box[2] + 1, mask.width), min(box[3] + 1, mask.height)
    target = (round(x0 * scale_x), round(y0 * scale_y), round(x1 * scale_x), round(y1 * scale_y))
    glitter = _resize_part(mask, target, (1 / scale_x, 1 / scale_y))
    canvas.paste(scene.palette.light, target, glitter)


def _vignette(canvas: Image.Image) -> None:
    """Darken the corners a little, as a lens does, to hold the eye in the picture."""
    for box, mask in _vignette_pieces(canvas.size):
        canvas.paste((0, 0, 0), box, mask)


VIGNETTE_STRIP = 32  # rows


@functools.lru_cache(maxsize=8)  # about 0.8 MB a 1K size, 13 MB a 4K one
def _vignette_pieces(size: tuple[int, int]) -> tuple[tuple[Box, Image.Image], ...]:
    """The vignette mask for a picture size, as the pieces of it that darken anything."""
    corners = Image.radial_gradient("L").point(
        lambda d: round(70 * max(0.0, d / 181 - 0.55) / 0.45)
    )
    # Crop the square gradient to the picture's shape so the vignette stays round: stretched
    # over a tall picture it would leave a light band down the middle.
    width, height = size
    long_edge = max(size)
    half_w, half_h = 128 * width / long_edge, 128 * height / long_edge
    box = (128 - half_w, 128 - half_h, 128 + half_w, 128 + half_h)
    mask = corners.resize(size, Image.Resampling.BILINEAR, box=box)
    # The mask is zero up to about 71 steps of the 256-step gradient from the centre (where
    # the gradient reaches 100). Strip by strip of rows, leave out the stretch inside that
    # circle on all of the strip's rows, less a margin for the filter.
    radius = 69 * long_edge / 256
    pieces = []
    for top in range(0, height, VIGNETTE_STRIP):
        bottom = min(top + VIGNETTE_STRIP, height)
        reach = max(abs(top - height / 2), abs(bottom - height / 2))
        half = math.sqrt(max(radius**2 - reach**2, 0))
        left, right = math.ceil(width / 2 - half), math.floor(width / 2 + half)
        if right - left < 2 or mask.crop((left, top, right, bottom)).getextrema() != (0, 0):
            pieces.append((0, top, width, bottom))
        else:
            pieces += [(0, top, left, bottom), (right, top, width, bottom)]
    return tuple((piece, mask.crop(piece)) for piece in pieces if piece[2] > piece[0])


GRAIN_TILE = 251  # clumps a side in the grain tile: prime, so its repeat lines up with nothing


def _add_grain(canvas: Image.Image, amplitude: int, rng: random.Random) -> Image.Image:
    """Fine film grain: a cached noise tile laid at a phase drawn from the picture's seed."""
    tile = _grain_tile(amplitude)
    left, top = rng.randrange(GRAIN_TILE) * 2, rng.randrange(GRAIN_TILE) * 2
    noise = Image.new("L", canvas.size)
    for y in range(-top, canvas.height, tile.height):
        for x in range(-left, canvas.width, tile.width):
            noise.paste(tile, (x, y))
    return ImageChops.add(canvas, Image.merge("RGB", (noise, noise, noise)), offset=-amplitude)


@functools.lru_cache(maxsize=8)
def _grain_tile(amplitude: int) -> Image.Image:
    """Seeded noise (Pillow's own uses C's global rand) in 2x2 clumps, centred on `amplitude`.

    Triangular noise (the difference of two uniform draws) dithers away the steps of slow
    gradients. Clumps of 2x2 pixels still read as a fine grain, but carry a quarter of the
    information of per-pixel noise, which keeps PNG and WebP encoding cheap: half the rows
    repeat the one above, which PNG's Up filter turns into all but nothing.
    """
    rng = random.Random(f"grain {amplitude}")
    levels = bytes(
        amplitude + round((rng.random() - rng.random()) * amplitude)
        for _ in range(GRAIN_TILE * GRAIN_TILE)
    )
    tile = Image.frombytes("L", (GRAIN_TILE, GRAIN_TILE), levels)
    return tile.resize((GRAIN_TILE * 2, GRAIN_TILE * 2), Image.Resampling.NEAREST)


# Measuring.

SAMPLE_PROMPTS = (
    "a lighthouse by the sea at night",
    "sunset over the mountains",
    "a pine forest in the morning",
    "neon city skyline at night",
    "desert dunes at dawn",
    "rolling hills",
)


def stage_costs(
    prompts: tuple[str, ...] = SAMPLE_PROMPTS,
    *,
    aspect_ratio: str = "1:1",
    image_size: str = "1K",
    repeat: int = 3,
) -> dict[str, float]:
    """CPU milliseconds per picture for each stage of a full render, with its encodes and C2PA
    signatures, and for a whole draft render to compare (`draft paint`, not in `total`).

    Process time, so other processes on the machine do not count; each stage keeps its best
    of `repeat` runs per prompt, then the prompts are averaged. For people, not for serving:
    `.venv/bin/python -m depicta_web.sandbox.render` prints it.
    """
    from . import credentials  # here, so that painting never loads the signing libraries

    size = pixel_size(aspect_ratio, image_size)
    mimes = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
    per_prompt = []
    with tempfile.TemporaryDirectory() as state_dir:

        def sign(data: bytes, fmt: str) -> None:
            credentials.sign_image(
                data,
                mime=mimes[fmt],
                model="flux-pro",
                created_at=datetime.now(UTC),
                title=f"measure.{fmt}",
                state_dir=Path(state_dir),
            )

        sign(encode(Image.new("RGB", (16, 16)), "png"), "png")  # makes the chain and signer
        for prompt in prompts:
            arguments = (prompt, "flux-pro", aspect_ratio, image_size)
            best: dict[str, float] = {}
            for _ in range(repeat):
                laps = _Laps()
                picture = _paint(*arguments, size, grain=True, lap=laps)
                for fmt in FORMATS:
                    data = encode(picture, fmt)
                    laps(f"encode {fmt}")
                    sign(data, fmt)
                    laps(f"sign {fmt}")
                render_image(
                    prompt=prompt,
                    model="flux-pro",
                    aspect_ratio=aspect_ratio,
                    image_size=image_size,
                    draft=True,
                )
                laps("draft paint")
                for stage, seconds in laps.seconds.items():
                    best[stage] = min(best.get(stage, math.inf), seconds)
            per_prompt.append(best)
    costs = {
        stage: 1000 * sum(best.get(stage, 0.0) for best in per_prompt) / len(per_prompt)
        for stage in dict.fromkeys(stage for best in per_prompt for stage in best)
    }
    costs["total"] = sum(value for stage, value in costs.items() if stage != "draft paint")
    return {stage: round(value, 1) for stage, value in costs.items()}


class _Laps:
    """CPU seconds by stage: each call charges the time since the previous one to `stage`."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.process_time()

    def __call__(self, stage: str) -> None:
        now = time.process_time()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


if __name__ == "__main__":
    for stage, milliseconds in stage_costs().items():
        print(f"{stage:16} {milliseconds:6.1f} ms")
