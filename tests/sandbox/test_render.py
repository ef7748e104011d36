"""The sandbox's pictures: the right size, the same every time, and different per prompt."""

import io
import random

import pytest
from PIL import Image, ImageChops, ImageStat

from depicta_web.sandbox import render as render_module
from depicta_web.sandbox.render import (
    ASPECT_RATIOS,
    LONG_EDGE,
    encode,
    pixel_size,
    plan_scene,
    render_image,
)

ARGS = {"prompt": "a lighthouse on a cliff", "model": "flux", "aspect_ratio": "21:9"}


def render(**overrides: str) -> Image.Image:
    return render_image(**{**ARGS, "image_size": "1K", **overrides})


@pytest.mark.parametrize("image_size", sorted(LONG_EDGE))
@pytest.mark.parametrize("aspect_ratio", sorted(ASPECT_RATIOS))
def test_pixel_size_follows_the_ratio_with_the_long_edge_fixed(aspect_ratio, image_size):
    width, height = pixel_size(aspect_ratio, image_size)
    ratio_w, ratio_h = ASPECT_RATIOS[aspect_ratio]
    assert max(width, height) == LONG_EDGE[image_size]
    assert width % 8 == 0
    assert height % 8 == 0
    assert (width >= height) == (ratio_w >= ratio_h)
    # Rounding to a multiple of 8 moves the short edge by at most 4 pixels.
    exact_short = LONG_EDGE[image_size] * min(ratio_w, ratio_h) / max(ratio_w, ratio_h)
    assert abs(min(width, height) - exact_short) <= 4


@pytest.mark.parametrize(
    ("aspect_ratio", "image_size", "expected"),
    [
        ("1:1", "1K", (1024, 1024)),
        ("16:9", "1K", (1024, 576)),
        ("9:16", "2K", (1152, 2048)),
        ("2:3", "1K", (680, 1024)),
        ("21:9", "4K", (4096, 1752)),
    ],
)
def test_pixel_size_known_values(aspect_ratio, image_size, expected):
    assert pixel_size(aspect_ratio, image_size) == expected


@pytest.mark.parametrize(("aspect_ratio", "image_size"), [("7:5", "1K"), ("1:1", "8K"), ("", "")])
def test_pixel_size_refuses_what_depicta_does_not_offer(aspect_ratio, image_size):
    with pytest.raises(ValueError, match="unknown"):
        pixel_size(aspect_ratio, image_size)


def test_render_gives_an_rgb_picture_of_the_promised_size():
    image = render()
    assert image.mode == "RGB"
    assert image.size == pixel_size("21:9", "1K")


def test_one_2k_render_has_the_2k_size():
    image = render_image(prompt="snowy peaks", model="flux", aspect_ratio="4:5", image_size="2K")
    assert image.size == (1640, 2048)


def test_a_draft_is_the_same_scene_at_full_size_without_the_fine_detail():
    draft = render(draft=True)
    full = render()
    assert draft.size == full.size
    assert draft.tobytes() == render(draft=True).tobytes()
    # The same scene: close on average, though soft where the full render has grain and edges.
    assert max(ImageStat.Stat(ImageChops.difference(draft, full)).mean) < 12
    assert draft.tobytes() != full.tobytes()


def test_same_arguments_give_identical_pixels():
    assert render().tobytes() == render().tobytes()


@pytest.mark.parametrize("change", [{"prompt": "a lighthouse on a hill"}, {"model": "flux-budget"}])
def test_different_arguments_give_different_pixels(change):
    assert render().tobytes() != render(**change).tobytes()


def test_global_random_state_is_neither_used_nor_disturbed():
    random.seed(1)
    state = random.getstate()
    first = render()
    assert random.getstate() == state
    random.seed(2)
    assert render().tobytes() == first.tobytes()


def test_pictures_are_not_flat():
    image = render()
    # Thousands of colours and real contrast: a gradient sky, silhouettes, grain.
    assert image.getcolors(maxcolors=2000) is None
    assert min(ImageStat.Stat(image).stddev) > 10


def test_different_prompts_give_visibly_different_scenes():
    prompts = ["a red fox", "portrait of a cat", "rolling hills", "a bowl of fruit"]
    images = [render(prompt=prompt) for prompt in prompts]
    for index, image in enumerate(images):
        for other in images[index + 1 :]:
            difference = ImageStat.Stat(ImageChops.difference(image, other)).mean
            assert sum(difference) / 3 > 10  # well beyond grain, which is a few levels


@pytest.mark.parametrize(
    ("prompt", "mood", "terrain"),
    [
        ("a lighthouse by the sea at night", "night", "waves"),
        ("sunset over the mountains", "sunset", "mountains"),
        ("a pine forest in the morning", "day", "forest"),
        ("neon city skyline", None, "city"),
        ("desert dunes at dawn", "sunset", "dunes"),
    ],
)
def test_words_in_the_prompt_steer_the_scene(prompt, mood, terrain):
    for seed in range(5):
        scene = plan_scene(prompt, random.Random(seed))
        assert scene.terrain == terrain
        if mood:
            assert scene.mood == mood


@pytest.mark.parametrize(
    ("fmt", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG"), ("webp", "WEBP"), ("JPG", "JPEG")]
)
def test_encode_writes_the_named_format(fmt, pil_format):
    image = render()
    decoded = Image.open(io.BytesIO(encode(image, fmt)))
    assert decoded.format == pil_format
    assert decoded.size == image.size


def test_png_is_lossless():
    image = render()
    decoded = Image.open(io.BytesIO(encode(image, "png"))).convert("RGB")
    assert decoded.tobytes() == image.tobytes()


def test_encode_refuses_other_formats():
    with pytest.raises(ValueError, match="unsupported format"):
        encode(render(), "gif")


# The shortcuts that keep a full render cheap must not change a pixel.

TERRAIN_PROMPTS = [
    "a lighthouse by the sea at night",
    "sunset over the mountains",
    "a pine forest in the morning",
    "neon city skyline at night",
    "desert dunes at dawn",
    "rolling hills",
]


@pytest.mark.parametrize("prompt", TERRAIN_PROMPTS)
@pytest.mark.parametrize("aspect_ratio", ["1:1", "21:9", "9:16"])
def test_silhouettes_blended_by_column_match_blending_the_whole_mask(prompt, aspect_ratio):
    size = pixel_size(aspect_ratio, "1K")
    landscape = render_module._plan_landscape(
        plan_scene(prompt, random.Random(7)), size, random.Random(7)
    )
    fast = Image.new("RGB", size, (90, 140, 200))
    whole = fast.copy()
    for mask, color in landscape.layers:
        mask.paint(fast, color)
        whole_mask = mask.raster(0, 2 * size[1]).resize(size, Image.Resampling.BILINEAR)
        whole.paste(color, (0, 0), whole_mask)
    assert fast.tobytes() == whole.tobytes()


@pytest.mark.parametrize("prompt", TERRAIN_PROMPTS)
def test_the_sky_is_left_out_only_where_the_landscape_hides_it(prompt, monkeypatch):
    arguments = {"prompt": prompt, "model": "flux", "aspect_ratio": "3:2", "image_size": "1K"}
    picture = render_image(**arguments)
    monkeypatch.setattr(render_module._Landscape, "sky_rows", lambda self: self.size[1])
    assert render_image(**arguments).tobytes() == picture.tobytes()


@pytest.mark.parametrize("size", [(1024, 1024), (1024, 440), (576, 1024), (2048, 1368)])
def test_the_vignette_darkens_as_its_whole_mask_would(size):
    canvas = Image.frombytes("RGB", size, random.Random(3).randbytes(size[0] * size[1] * 3))
    expected = canvas.copy()
    corners = Image.radial_gradient("L").point(
        lambda d: round(70 * max(0.0, d / 181 - 0.55) / 0.45)
    )
    half_w, half_h = 128 * size[0] / max(size), 128 * size[1] / max(size)
    box = (128 - half_w, 128 - half_h, 128 + half_w, 128 + half_h)
    expected.paste((0, 0, 0), (0, 0), corners.resize(size, Image.Resampling.BILINEAR, box=box))

    render_module._vignette(canvas)

    assert canvas.tobytes() == expected.tobytes()
    # The pieces leave out the untouched middle, or the shortcut would be saving nothing.
    covered = sum(
        (x1 - x0) * (y1 - y0) for (x0, y0, x1, y1), _ in render_module._vignette_pieces(size)
    )
    assert covered < 0.85 * size[0] * size[1]


@pytest.mark.parametrize("size", [(1, 1), (3, 5), (17, 2), (640, 7)])
def test_png_encoding_is_lossless_at_any_size(size):
    image = Image.frombytes("RGB", size, random.Random(5).randbytes(size[0] * size[1] * 3))
    decoded = Image.open(io.BytesIO(encode(image, "png")))
    decoded.load()
    assert (decoded.format, decoded.mode, decoded.size) == ("PNG", "RGB", size)
    assert decoded.tobytes() == image.tobytes()


@pytest.mark.parametrize("mode", ["L", "RGBA"])
def test_png_encoding_keeps_other_modes(mode):
    image = Image.new(mode, (9, 4), 7 if mode == "L" else (1, 2, 3, 4))
    decoded = Image.open(io.BytesIO(encode(image, "png")))
    assert decoded.mode == mode
    assert decoded.tobytes() == image.tobytes()


def test_grain_is_the_same_in_every_process_and_shifts_with_the_picture():
    # Seeded from a string, which Python hashes the same way whatever PYTHONHASHSEED says.
    tile = render_module._grain_tile(4)
    assert tile.tobytes() == render_module._grain_tile.__wrapped__(4).tobytes()
    low, high = tile.getextrema()
    assert (low, high) == (0, 8)
    flat = Image.new("RGB", (600, 400), (128, 128, 128))
    first = render_module._add_grain(flat, 4, random.Random(1))
    assert first.tobytes() == render_module._add_grain(flat, 4, random.Random(1)).tobytes()
    assert first.tobytes() != render_module._add_grain(flat, 4, random.Random(2)).tobytes()


def test_stage_costs_reports_every_stage():
    costs = render_module.stage_costs(("a harbour at dusk",), repeat=1)
    for stage in ("plan", "sky", "landscape", "vignette", "grain", "draft paint", "total"):
        assert costs[stage] >= 0
    for fmt in ("png", "jpeg", "webp"):
        assert costs[f"encode {fmt}"] > 0
        assert costs[f"sign {fmt}"] > 0
    assert costs["total"] >= sum(
        value for stage, value in costs.items() if stage.startswith("encode")
    )
