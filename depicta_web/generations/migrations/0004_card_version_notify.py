"""PostgreSQL announces every change of a generation on a channel, for the card polls.

Read by depicta_web/generations/polling.py; nothing on SQLite (its polls read the row). The
payload is "<id> <version> <status>", the version computed exactly as `polling.version_of`
does. A deleted row is announced one version later as "deleted", so no card waits on it.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION generations_announce_change() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('depicta_generation_changed', OLD.id::text || ' '
          || ((extract(epoch FROM OLD.updated_at) * 1000000)::bigint + 1) || ' deleted');
      ELSIF NEW.updated_at IS DISTINCT FROM OLD.updated_at
            OR NEW.status IS DISTINCT FROM OLD.status THEN
        PERFORM pg_notify('depicta_generation_changed', NEW.id::text || ' '
          || (extract(epoch FROM NEW.updated_at) * 1000000)::bigint || ' ' || NEW.status);
      END IF;
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    "CREATE TRIGGER generations_announce_change AFTER UPDATE OR DELETE "
    "ON generations_generation FOR EACH ROW EXECUTE FUNCTION generations_announce_change()",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS generations_announce_change ON generations_generation",
    "DROP FUNCTION IF EXISTS generations_announce_change()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("generations", "0003_job_matched_by_time")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
