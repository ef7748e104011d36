"""What a sandbox picture shows: a scene planned from the prompt's words and a seeded generator.

Words such as "night" or "mountains" choose the mood and the terrain; whatever the prompt leaves
open, and every proportion, comes from the generator, so the same seed plans the same scene.
"""

import colorsys
import random
import re
from dataclasses import dataclass

Color = tuple[int, int, int]

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


def plan_scene(prompt: str, rng: random.Random) -> Scene:
    """The scene for a prompt; the generator's draws happen in a fixed order."""
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


def mix(a: Color, b: Color, t: float) -> Color:
    """The colour a fraction `t` of the way from `a` to `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
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
        return _night_palette(land, rng)
    if mood == "sunset":
        return _sunset_palette(rng)
    return _day_palette(land, base, rng)


def _night_palette(land: float, rng: random.Random) -> Palette:
    sky = rng.choice([0.5, 0.6, 0.68]) + rng.uniform(-0.03, 0.03)  # teal, blue or indigo
    return Palette(
        sky=(_hsv(sky, 0.6, 0.09), _hsv(sky + 0.03, 0.5, 0.2), _hsv(sky + 0.08, 0.35, 0.4)),
        light=_hsv(0.14, 0.1, 0.97),
        cloud=_hsv(sky, 0.2, 0.45),
        far=mix(_hsv(sky + 0.02, 0.35, 0.32), _hsv(land, 0.35, 0.32), 0.5),
        near=_hsv(land, 0.4, 0.06),
    )


def _sunset_palette(rng: random.Random) -> Palette:
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


def _day_palette(land: float, base: float, rng: random.Random) -> Palette:
    # Usually a blue sky, sometimes a stylised one from the prompt's own hue.
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
