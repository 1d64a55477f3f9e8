"""PostgreSQL-only covering indexes for the public accountability pages of a body or a region: the
time to response and the overdue backlog are read by index-only scans, one range per body. SQLite has
no INCLUDE columns, so there the model's (body, due_on) index serves."""

from django.db import migrations

INDEXES = {
    "dispatch_body_due_cover": (
        "ON recommendations_dispatch (body_id, due_on) "
        "INCLUDE (sent_on, answered_on, paused_since, working_days_taken)"
    ),
    "dispatch_open_body_due": (
        "ON recommendations_dispatch (body_id, due_on) INCLUDE (sent_on, paused_since) WHERE answered_on IS NULL"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0003_dispatch_tally")]

    operations = [migrations.RunPython(create, drop)]
