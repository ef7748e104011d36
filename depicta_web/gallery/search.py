"""Full-text search over prompts behind one function, on SQLite (FTS5) and PostgreSQL.

`prompts_matching(queryset, text)` narrows a Generation queryset to prompts containing every
word of `text` (a word also matches as a prefix: "light" finds "lighthouse"). The index is
built by migration 0002_prompt_search: an FTS5 table kept by triggers on SQLite, a GIN index
on to_tsvector('gallery_prompts', prompt) on PostgreSQL (English stemming, accents folded).
Both backends treat the designer's text as plain words, never as query syntax, so no input can
make the query fail.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 12
SQLITE_MATCHES = (
    "SELECT generation_id FROM gallery_prompt_key WHERE id IN "
    "(SELECT rowid FROM gallery_prompt_fts WHERE gallery_prompt_fts MATCH %s)"
)
SQLITE_KEEP = (
    "EXISTS (SELECT 1 FROM gallery_prompt_key k "
    'WHERE k.generation_id = "generations_generation"."id" AND k.id IN '
    "(SELECT rowid FROM gallery_prompt_fts WHERE gallery_prompt_fts MATCH %s))"
)
# Up to this many matches SQLite fetches and sorts the matches; past it, it walks the index of
# the sort order and checks each row against the matches.
FEW_MATCHES = 1000


class SearchTextInvalid(ValueError):
    """The text holds nothing to search for."""


def search_words(text: str) -> list[str]:
    words = WORD.findall(text.lower())
    if not words:
        raise SearchTextInvalid(
            f"“{text.strip()}” has no letters or digits to search for: type a word from a prompt."
        )
    return words[:MAX_WORDS]


def prompts_matching(queryset: QuerySet, text: str) -> QuerySet:
    words = search_words(text)
    vendor = connections[queryset.db].vendor
    if vendor == "sqlite":
        return _sqlite(queryset, words)
    if vendor == "postgresql":
        return _postgresql(queryset, words)
    # Any other database: correct, unindexed.
    for word in words:
        queryset = queryset.filter(prompt__icontains=word)
    return queryset


def _sqlite(queryset: QuerySet, words: list[str]) -> QuerySet:
    # Each word quoted (so FTS5 operators in the text are just words) and prefix-matched.
    expression = " ".join(f'"{word}"*' for word in words)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM gallery_prompt_fts WHERE gallery_prompt_fts MATCH %s",
            [expression],
        )
        count = cursor.fetchone()[0]
    if count <= FEW_MATCHES:
        # Few matches: fetch them by primary key and sort them.
        return queryset.filter(id__in=RawSQL(SQLITE_MATCHES, [expression]))  # noqa: S611
    # Many: walk the table in sort order and keep each row whose key is in the (integer) match
    # list, so a page stops after its cards instead of fetching and sorting every match.
    keep = RawSQL(SQLITE_KEEP, [expression], output_field=BooleanField())  # noqa: S611
    return queryset.filter(keep)


def _postgresql(queryset: QuerySet, words: list[str]) -> QuerySet:
    # Written as the index's expression exactly, so the planner uses gallery_prompt_tsv.
    expression = " & ".join(f"{word}:*" for word in words)
    column = f'"{queryset.model._meta.db_table}"."prompt"'  # our own table name, not input
    match = RawSQL(  # noqa: S611
        f"to_tsvector('gallery_prompts', {column}) @@ to_tsquery('gallery_prompts', %s)",
        [expression],
        output_field=BooleanField(),
    )
    return queryset.filter(match)


# --- keeping the SQLite index ------------------------------------------------------------
# SQLite rebuilds a table for many ALTERs (copy, drop, rename), and the rebuild drops its
# triggers. So after every migrate the triggers are put back, and the index rebuilt from the
# prompts when any was missing (rows written meanwhile were not indexed).
SQLITE_TRIGGERS = {
    "gallery_prompt_fts_insert": "CREATE TRIGGER gallery_prompt_fts_insert "
    "AFTER INSERT ON generations_generation BEGIN "
    "INSERT INTO gallery_prompt_key (generation_id) VALUES (new.id); "
    "INSERT INTO gallery_prompt_fts (rowid, prompt) VALUES (last_insert_rowid(), new.prompt); "
    "END",
    "gallery_prompt_fts_update": "CREATE TRIGGER gallery_prompt_fts_update "
    "AFTER UPDATE OF prompt ON generations_generation BEGIN "
    "DELETE FROM gallery_prompt_fts WHERE rowid = "
    "(SELECT id FROM gallery_prompt_key WHERE generation_id = old.id); "
    "INSERT INTO gallery_prompt_fts (rowid, prompt) VALUES "
    "((SELECT id FROM gallery_prompt_key WHERE generation_id = new.id), new.prompt); END",
    "gallery_prompt_fts_delete": "CREATE TRIGGER gallery_prompt_fts_delete "
    "AFTER DELETE ON generations_generation BEGIN "
    "DELETE FROM gallery_prompt_fts WHERE rowid = "
    "(SELECT id FROM gallery_prompt_key WHERE generation_id = old.id); "
    "DELETE FROM gallery_prompt_key WHERE generation_id = old.id; END",
}


def search_index_ensure(*, using: str = "default") -> bool:
    """Put back missing triggers and reindex; returns whether anything was repaired."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    tables = connection.introspection.table_names()
    if "gallery_prompt_fts" not in tables or "generations_generation" not in tables:
        return False  # not migrated this far (yet)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["generations_generation"],
        )
        present = {row[0] for row in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if not missing:
            return False
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        for statement in SQLITE_REINDEX:
            cursor.execute(statement)
    return True


SQLITE_REINDEX = [
    "DELETE FROM gallery_prompt_fts",
    "DELETE FROM gallery_prompt_key",
    "INSERT INTO gallery_prompt_key (generation_id) SELECT id FROM generations_generation",
    "INSERT INTO gallery_prompt_fts (rowid, prompt) SELECT k.id, g.prompt "
    "FROM gallery_prompt_key k JOIN generations_generation g ON g.id = k.generation_id",
]
