"""The silhouettes of a sandbox picture: ridges, trees, buildings, and light on water.

Each layer is drawn as a mask sampled twice as finely in height, whose edges come out
antialiased when the mask is resized. Work at full resolution is kept to where it changes
pixels: a layer is blended only along its edge, and below it is a plain fill.
"""

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .scenes import Color, Scene, mix

Box = tuple[int, int, int, int]

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
class Landscape:
    """A picture's silhouettes, planned but not yet painted."""

    size: tuple[int, int]
    layers: list[tuple[_LayerMask, Color]]  # farthest first
    windows: list[tuple[float, float, float, float]]  # lit at night

    def sky_rows(self) -> int:
        """How many rows from the top the sky can show in: below, a silhouette hides it all."""
        if not self.layers:
            return self.size[1]
        columns = range(len(self.layers[0][0].tops))
        return max(min(mask.rows(column)[1] for mask, _ in self.layers) for column in columns)


def plan_landscape(scene: Scene, size: tuple[int, int], rng: random.Random) -> Landscape:
    """The silhouettes, drawn as masks but not yet painted, and the windows to light."""
    landscape = Landscape(size=size, layers=[], windows=[])
    for index in range(scene.layers):
        depth = index / max(scene.layers - 1, 1)  # 0 = farthest, 1 = nearest
        color = mix(scene.palette.far, scene.palette.near, depth**0.8)
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


def draw_landscape(
    canvas: Image.Image, scene: Scene, landscape: Landscape, rng: random.Random
) -> None:
    """Paint the silhouettes farthest first, then light on water and windows after dark."""
    for mask, color in landscape.layers:
        mask.paint(canvas, color)
    if scene.terrain == "waves":
        _draw_glitter(canvas, scene, rng)
    if landscape.windows and scene.mood != "day":
        draw = ImageDraw.Draw(canvas)
        lit = mix(scene.palette.light, (255, 190, 90), 0.6)
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
