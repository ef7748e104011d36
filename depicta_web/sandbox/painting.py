"""Deterministic stand-in pictures for the sandbox: layered landscapes steered by the prompt.

The same arguments always give the same pixels: every choice comes from a private
`random.Random` seeded with the SHA-256 of the arguments, never from global random state.
`scenes.py` plans what the picture shows and `landscape.py` draws its silhouettes; this module
paints the rest and puts it together. Soft layers (sky, glow, clouds) are painted at 1/8 scale
and upscaled; small crisp details (sun, stars) are drawn at full resolution.

Work at full resolution is kept to where it changes pixels: the sky is upscaled only where it
shows, the vignette only outside the circle it leaves alone, and the grain comes from a cached
tile. `bench/sandbox_render.py` measures each stage, encodes and signatures included.
"""

import functools
import hashlib
import json
import math
import random
from collections.abc import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from depicta_web.depicta.schema import ASPECT_RATIOS, IMAGE_SIZES

from .landscape import Box, draw_landscape, plan_landscape
from .scenes import Color, Scene, mix, plan_scene

# The sandbox's own choice: the contract names the sizes, not their pixels.
LONG_EDGE: dict[str, int] = dict(zip(IMAGE_SIZES, (1024, 2048, 4096), strict=True))

Lap = Callable[[str], None]


def pixel_size(aspect_ratio: str, image_size: str) -> tuple[int, int]:
    """Width and height for a Depicta aspect ratio and size, the short edge a multiple of 8."""
    if aspect_ratio not in ASPECT_RATIOS:
        raise ValueError(f"unknown aspect ratio {aspect_ratio!r}")
    if image_size not in LONG_EDGE:
        raise ValueError(f"unknown image size {image_size!r}")
    ratio_w, ratio_h = (int(side) for side in aspect_ratio.split(":"))
    long_edge = LONG_EDGE[image_size]
    short_edge = round(long_edge * min(ratio_w, ratio_h) / max(ratio_w, ratio_h) / 8) * 8
    return (long_edge, short_edge) if ratio_w >= ratio_h else (short_edge, long_edge)


def render_image(
    *,
    prompt: str,
    model: str,
    aspect_ratio: str,
    image_size: str,
    draft: bool = False,
    lap: Lap | None = None,
) -> Image.Image:
    """Paint the picture these arguments always give (RGB).

    `draft` paints at a quarter of the size, upscales and adds no grain: the same scene, soft,
    for about half the CPU of the full paint, and cheaper to encode. `lap`, when given, is
    called with each stage's name as it ends (`bench/sandbox_render.py` times them).
    """
    size = pixel_size(aspect_ratio, image_size)
    rng = random.Random(_seed(prompt, model, aspect_ratio, image_size))
    if draft:
        small = (max(size[0] // 4, 16), max(size[1] // 4, 16))
        picture = _paint(prompt, rng, small, grain=False, lap=lap or _no_lap)
        return picture.resize(size, Image.Resampling.BICUBIC)
    return _paint(prompt, rng, size, grain=True, lap=lap or _no_lap)


def _no_lap(stage: str) -> None:
    pass


def _paint(
    prompt: str, rng: random.Random, size: tuple[int, int], *, grain: bool, lap: Lap
) -> Image.Image:
    scene = plan_scene(prompt, rng)
    lap("plan")
    # The silhouettes are drawn first so that the sky is only made where it shows.
    landscape = plan_landscape(scene, size, rng)
    lap("landscape")
    canvas = _paint_sky(scene, size, rng, rows=landscape.sky_rows())
    lap("sky")
    if scene.mood == "night":
        _draw_stars(canvas, scene, rng)
    _draw_body(canvas, scene)
    lap("stars and body")
    draw_landscape(canvas, scene, landscape, rng)
    lap("landscape")
    _vignette(canvas)
    lap("vignette")
    if grain:
        canvas = _add_grain(canvas, scene.grain, rng)
        lap("grain")
    return canvas


def _seed(*arguments: str) -> int:
    digest = hashlib.sha256(json.dumps(arguments).encode()).digest()
    return int.from_bytes(digest[:16], "big")


# The sky, and the sun or moon in it.


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
            mix(top, middle, eased * 2) if eased < 0.5 else mix(middle, bottom, eased * 2 - 1)
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


# Finishing: what a lens and film would add.


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
