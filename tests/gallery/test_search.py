"""The prompt search index follows the generations table by itself (triggers on SQLite)."""

import pytest
from django.db import connection

from depicta_web.gallery.search import SearchTextInvalid, prompts_matching, search_words
from depicta_web.generations.models import Generation

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 index and its triggers are SQLite's"
)


def found(text: str) -> set:
    return set(prompts_matching(Generation.objects.all(), text).values_list("pk", flat=True))


def test_a_new_generation_is_searchable_at_once(alice, make_row):
    row = make_row(alice, "Neon signs over a wet street")
    assert found("neon") == {row.pk}
    assert found("NEON street") == {row.pk}
    assert found("sign") == {row.pk}  # prefix


def test_accents_and_case_do_not_matter(alice, make_row):
    row = make_row(alice, "Café terrace at night")
    assert found("cafe") == {row.pk}
    assert found("CAFÉ") == {row.pk}


def test_an_edited_prompt_is_searched_by_its_new_words(alice, make_row):
    row = make_row(alice, "A red boat")
    Generation.objects.filter(pk=row.pk).update(prompt="A blue kite")
    assert found("boat") == set()
    assert found("kite") == {row.pk}


def test_a_deleted_generation_leaves_the_index(alice, make_row):
    row = make_row(alice, "A red boat")
    row.delete()
    assert found("boat") == set()


def test_text_without_words_is_refused_with_a_reason():
    with pytest.raises(SearchTextInvalid, match="no letters or digits"):
        search_words(' "*" ')


@sqlite_only
def test_migrate_puts_back_triggers_a_table_rebuild_dropped(alice, make_row):
    from django.core.management import call_command

    before = make_row(alice, "A lighthouse before the rebuild")
    with connection.cursor() as cursor:  # what SQLite's ALTER-by-rebuild does to triggers
        cursor.execute("DROP TRIGGER gallery_prompt_fts_insert")
    during = make_row(alice, "A lighthouse written meanwhile")
    assert found("lighthouse") == {before.pk}
    call_command("migrate", verbosity=0)
    assert found("lighthouse") == {before.pk, during.pk}
    after = make_row(alice, "A lighthouse after")
    assert after.pk in found("lighthouse")


@sqlite_only
@pytest.mark.parametrize("few_matches", [0, 1000])
def test_both_sqlite_plans_find_the_same_rows_in_order(alice, make_row, monkeypatch, few_matches):
    from depicta_web.gallery import search

    monkeypatch.setattr(search, "FEW_MATCHES", few_matches)
    rows = [make_row(alice, f"A lighthouse, study {n}") for n in range(5)]
    make_row(alice, "A forest")
    newest_first = Generation.objects.order_by("-created_at", "-id")
    got = list(prompts_matching(newest_first, "lighthouse").values_list("pk", flat=True))
    assert got == [row.pk for row in rows]  # make_row makes each one older than the last
