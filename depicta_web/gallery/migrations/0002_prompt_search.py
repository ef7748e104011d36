"""Full-text index over prompts: SQLite FTS5 kept by triggers, or a PostgreSQL GIN index.

Both are read only through depicta_web/gallery/search.py.
"""

from django.db import migrations

SQLITE_FORWARD = [
    # FTS5 finds rowids fast but reads other columns slowly, so the rowid is an integer key
    # from gallery_prompt_key; SQLite's own rowid of generations_generation is not used (VACUUM
    # and table rebuilds may renumber it: its primary key is not an INTEGER).
    "CREATE TABLE gallery_prompt_key ("
    "id INTEGER PRIMARY KEY, generation_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE gallery_prompt_fts USING fts5("
    "prompt, tokenize='unicode61 remove_diacritics 2')",
    "INSERT INTO gallery_prompt_key (generation_id) SELECT id FROM generations_generation",
    "INSERT INTO gallery_prompt_fts (rowid, prompt) SELECT k.id, g.prompt "
    "FROM gallery_prompt_key k JOIN generations_generation g ON g.id = k.generation_id",
    "CREATE TRIGGER gallery_prompt_fts_insert AFTER INSERT ON generations_generation BEGIN "
    "INSERT INTO gallery_prompt_key (generation_id) VALUES (new.id); "
    "INSERT INTO gallery_prompt_fts (rowid, prompt) VALUES (last_insert_rowid(), new.prompt); "
    "END",
    "CREATE TRIGGER gallery_prompt_fts_update AFTER UPDATE OF prompt ON generations_generation "
    "BEGIN DELETE FROM gallery_prompt_fts WHERE rowid = "
    "(SELECT id FROM gallery_prompt_key WHERE generation_id = old.id); "
    "INSERT INTO gallery_prompt_fts (rowid, prompt) VALUES "
    "((SELECT id FROM gallery_prompt_key WHERE generation_id = new.id), new.prompt); END",
    "CREATE TRIGGER gallery_prompt_fts_delete AFTER DELETE ON generations_generation BEGIN "
    "DELETE FROM gallery_prompt_fts WHERE rowid = "
    "(SELECT id FROM gallery_prompt_key WHERE generation_id = old.id); "
    "DELETE FROM gallery_prompt_key WHERE generation_id = old.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS gallery_prompt_fts_insert",
    "DROP TRIGGER IF EXISTS gallery_prompt_fts_update",
    "DROP TRIGGER IF EXISTS gallery_prompt_fts_delete",
    "DROP TABLE IF EXISTS gallery_prompt_fts",
    "DROP TABLE IF EXISTS gallery_prompt_key",
]
POSTGRES_FORWARD = [
    # English stemming, accents folded ("cafe" finds "Café"), as FTS5's remove_diacritics does.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION gallery_prompts (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION gallery_prompts "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE INDEX gallery_prompt_tsv ON generations_generation "
    "USING gin (to_tsvector('gallery_prompts', prompt))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS gallery_prompt_tsv",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS gallery_prompts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("gallery", "0001_initial"),
        ("generations", "0002_trash"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
