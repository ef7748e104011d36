"""The client accepts every documented shape, including the ones the docs' examples leave out."""

from decimal import Decimal

from depicta_web.depicta.schema import GenerateResult, Job, JobPage, parse_models

PNG_HASH = "a" * 64


def test_result_with_formats_only_still_has_its_png():
    # The getting-started example has `formats` and no `image_url`.
    result = GenerateResult.from_json(
        {
            "id": "g1",
            "ai_generated": True,
            "formats": {
                "png": {
                    "url": "https://images.depicta.ai/1.png",
                    "format": "png",
                    "hash": PNG_HASH,
                    "size_bytes": 10,
                    "expires_at": "2026-04-06T16:00:00Z",
                },
                "jpeg": {"url": "https://images.depicta.ai/1.jpg", "format": "jpeg"},
            },
            "cost_eur": "0.045000",
            "balance_eur": "9.955000",
        }
    )
    (image,) = result.images
    assert set(image.variants) == {"png", "jpeg"}
    assert image.png_hash == PNG_HASH
    assert image.variants["jpeg"].hash is None
    assert result.model is None
    assert result.cost_eur == Decimal("0.045000")
    assert result.balance_eur == Decimal("9.955000")


def test_result_with_image_url_only_becomes_a_png_variant():
    result = GenerateResult.from_json(
        {
            "id": "g2",
            "image_url": "https://images.depicta.ai/2.png",
            "image_hash": PNG_HASH.upper(),
            "cost_eur": "0.010000",
            "balance_eur": "1.000000",
            "model": "flux-pro",
        }
    )
    (image,) = result.images
    assert image.variants["png"].url.endswith("2.png")
    assert image.variants["png"].hash == PNG_HASH
    assert result.model == "flux-pro"


def test_multi_image_and_story_results_keep_every_image_in_order():
    result = GenerateResult.from_json(
        {
            "id": "s1",
            "title": "A tale",
            "image_urls": ["https://images.depicta.ai/a.png", "https://images.depicta.ai/b.png"],
            "image_hashes": ["1" * 64, "2" * 64],
            "scenes": [
                {
                    "scene": 1,
                    "title": "Dawn",
                    "image_url": "https://images.depicta.ai/s1.png",
                    "image_hash": "3" * 64,
                    "expires_at": "2026-04-06T16:00:00Z",
                },
            ],
            "characters": [{"name": "Ada", "reference_url": "https://x", "expires_at": None}],
        }
    )
    assert [im.position for im in result.images] == [1, 2, 3]
    assert [im.png_hash for im in result.images] == ["1" * 64, "2" * 64, "3" * 64]
    assert result.images[2].title == "Dawn"
    assert result.title == "A tale"


def test_money_is_decimal_with_six_places_and_never_a_float():
    result = GenerateResult.from_json({"id": "m", "cost_eur": "0.1", "balance_eur": "3"})
    assert result.cost_eur == Decimal("0.100000")
    assert str(result.balance_eur) == "3.000000"


def test_models_in_the_older_shape_and_a_bare_list_are_still_read():
    older = parse_models(
        {
            "models": [
                {
                    "id": "flux-pro",
                    "alias": "flux",
                    "price_eur": "0.045000",
                    "capabilities": ["generate", "edit"],
                    "image_sizes": ["1K", "2K", "4K"],
                    "budget": False,
                }
            ]
        }
    )
    bare = parse_models([{"alias": "tiny"}, {"name": "no id or alias"}, "junk"])
    assert older[0].key == "flux-pro"
    assert older[0].approximate_cost_eur == Decimal("0.045000")
    assert older[0].can_edit
    assert older[0].budget is False
    assert older[0].sizes_offered == ("1K", "2K", "4K")
    assert older[0].price_for("4K") == Decimal("0.045000")  # one price stands for all sizes
    assert [m.key for m in bare] == ["tiny"]
    assert bare[0].can_generate
    assert not bare[0].can_edit


def test_per_size_prices_are_used_when_the_api_gives_them():
    [model] = parse_models(
        [{"id": "m", "price_eur": "0.045000", "prices_eur": {"1K": "0.045", "4K": "0.12"}}]
    )
    assert model.price_for("4K") == Decimal("0.120000")
    assert model.price_for("1K") == Decimal("0.045000")
    assert model.price_for("2K") == Decimal("0.045000")


def test_job_entries_parse_errors_results_and_a_null_list():
    page = JobPage.from_json({"generations": None, "limit": 20, "offset": 0, "total": 0})
    assert page.jobs == ()
    failed = Job.from_json(
        {
            "job_id": "j",
            "status": "failed",
            "created_at": "2026-01-01T00:00:00Z",
            "error": {"code": "content_rejected", "message": "no"},
        }
    )
    assert failed.is_final
    assert failed.error.code == "content_rejected"
    assert failed.created_at.tzinfo is not None
    done = Job.from_json(
        {
            "job_id": "k",
            "status": "completed",
            "result": {"id": "r", "image_url": "https://images.depicta.ai/r.png"},
        }
    )
    assert done.result.images[0].variants["png"].url.endswith("r.png")
