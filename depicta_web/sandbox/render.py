"""Deterministic stand-in pictures for the sandbox: layered landscapes steered by the prompt.

The same arguments always give the same pixels: every choice comes from a private
`random.Random` seeded with the SHA-256 of the arguments, never from global random state.
Soft layers (sky, glow, clouds) are painted at 1/8 scale and upscaled; silhouettes are drawn
as masks sampled twice as finely in height, whose edges come out antialiased when the mask is
resized; small crisp details (sun, stars, windows) are drawn at full resolution.
"""

import colorsys
import hashlib
import io
import itertools
import json
import math
import random
import re
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

Color = tuple[int, int, int]

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
    for about a tenth of the CPU (benchmarks, where Depicta's own rendering costs us nothing)."""
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
) -> Image.Image:
    rng = random.Random(_seed(prompt, model, aspect_ratio, image_size))
    scene = plan_scene(prompt, rng)
    canvas = _paint_sky(scene, size, rng)
    if scene.mood == "night":
        _draw_stars(canvas, scene, rng)
    _draw_body(canvas, scene)
    _draw_landscape(canvas, scene, rng)
    _vignette(canvas)
    return _add_grain(canvas, scene.grain, rng) if grain else canvas


def encode(image: Image.Image, fmt: str) -> bytes:
    """The image as PNG, JPEG or WebP bytes, tuned for speed over the last byte of size."""
    fmt = fmt.lower()
    out = io.BytesIO()
    if fmt == "png":
        # Measured on a 4K render: level 3 is as fast as level 1 and 40% smaller; level 6 is
        # another 18% smaller but takes more than twice as long.
        image.save(out, "PNG", optimize=False, compress_level=3)
    elif fmt in ("jpeg", "jpg"):
        image.save(out, "JPEG", quality=90)
    elif fmt == "webp":
        # Method 2 encodes a 4K picture in under half the time of the default 4, same size.
        image.save(out, "WEBP", quality=85, method=2)
    else:
        raise ValueError(f"unsupported format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return out.getvalue()


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


def _paint_sky(scene: Scene, size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Gradient, glow and clouds, painted at 1/8 scale and upscaled: it is all soft."""
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
    return sky.resize(size, Image.Resampling.BICUBIC)


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
    """The sun or moon: a crisp disc, antialiased by drawing it 4x and shrinking it."""
    width, height = canvas.size
    radius = max(2, round(min(width, height) * scene.body_radius))
    diameter = radius * 2
    big = Image.new("L", (diameter * 4, diameter * 4), 0)
    draw = ImageDraw.Draw(big)
    draw.ellipse((0, 0, diameter * 4 - 1, diameter * 4 - 1), fill=255)
    if scene.crescent:
        shift = diameter * 4 * 0.3
        draw.ellipse((shift, -shift / 3, diameter * 4 - 1 + shift, diameter * 4 - 1 - shift / 3), 0)
    disc = big.resize((diameter, diameter), Image.Resampling.LANCZOS)
    centre = (round(scene.body_x * width), round(scene.body_y * height))
    canvas.paste(scene.palette.light, (centre[0] - radius, centre[1] - radius), disc)


class _LayerMask:
    """An L mask drawn in full-resolution coordinates, stored at half width and double height.

    The long, nearly flat edges of ridges are what shows stair steps; sampling vertically at
    twice the final resolution and averaging on the way down antialiases them cheaply.
    """

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.image = Image.new("L", (max(size[0] // 2, 1), size[1] * 2), 0)
        self.scale_x = self.image.width / size[0]
        self._draw = ImageDraw.Draw(self.image)

    def polygon(self, points: list[tuple[float, float]]) -> None:
        self._draw.polygon([(x * self.scale_x, y * 2) for x, y in points], fill=255)

    def rectangle(self, box: tuple[float, float, float, float]) -> None:
        x0, y0, x1, y1 = box
        self._draw.rectangle((x0 * self.scale_x, y0 * 2, x1 * self.scale_x, y1 * 2), fill=255)

    def at_full_size(self) -> Image.Image:
        return self.image.resize(self.size, Image.Resampling.BILINEAR)


def _draw_landscape(canvas: Image.Image, scene: Scene, rng: random.Random) -> None:
    width, height = canvas.size
    windows: list[tuple[float, float, float, float]] = []
    for index in range(scene.layers):
        depth = index / max(scene.layers - 1, 1)  # 0 = farthest, 1 = nearest
        color = _mix(scene.palette.far, scene.palette.near, depth**0.8)
        mask = _LayerMask(canvas.size)
        if scene.terrain == "city":
            windows += _draw_buildings(mask, scene, depth, rng)
        else:
            ridge = _ridge_points(canvas.size, scene, depth, rng)
            mask.polygon([*ridge, (width, height), (0, height)])
            if scene.terrain == "forest" and depth > 0.2:
                _draw_trees(mask, ridge, depth, rng)
        canvas.paste(color, (0, 0), mask.at_full_size())
    if scene.terrain == "waves":
        _draw_glitter(canvas, scene, rng)
    if windows and scene.mood != "day":
        draw = ImageDraw.Draw(canvas)
        lit = _mix(scene.palette.light, (255, 190, 90), 0.6)
        for window in windows:
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
    canvas.paste(scene.palette.light, (0, 0), mask.resize(canvas.size, Image.Resampling.BILINEAR))


def _vignette(canvas: Image.Image) -> None:
    """Darken the corners a little, as a lens does, to hold the eye in the picture."""
    corners = Image.radial_gradient("L").point(
        lambda d: round(70 * max(0.0, d / 181 - 0.55) / 0.45)
    )
    # Crop the square gradient to the picture's shape so the vignette stays round: stretched
    # over a tall picture it would leave a light band down the middle.
    long_edge = max(canvas.size)
    half_w, half_h = 128 * canvas.width / long_edge, 128 * canvas.height / long_edge
    box = (128 - half_w, 128 - half_h, 128 + half_w, 128 + half_h)
    mask = corners.resize(canvas.size, Image.Resampling.BILINEAR, box=box)
    canvas.paste((0, 0, 0), (0, 0), mask)


def _add_grain(canvas: Image.Image, amplitude: int, rng: random.Random) -> Image.Image:
    """Soft film grain from a seeded noise tile (Pillow's own noise uses C's global rand)."""
    tile_size = 509  # prime, so the repeat does not line up with anything in the picture
    tile = Image.frombytes("L", (tile_size, tile_size), rng.randbytes(tile_size * tile_size))
    tile = tile.filter(ImageFilter.GaussianBlur(0.6))
    # Blurring narrows the spread around 128; stretch it back to +-amplitude, centred on it.
    tile = tile.point(lambda v: max(0, min(2 * amplitude, round(amplitude + (v - 128) / 10))))
    noise = Image.new("L", canvas.size)
    for top in range(0, canvas.height, tile_size):
        for left in range(0, canvas.width, tile_size):
            noise.paste(tile, (left, top))
    return ImageChops.add(canvas, Image.merge("RGB", (noise, noise, noise)), offset=-amplitude)
