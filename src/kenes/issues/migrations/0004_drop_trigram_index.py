"""Drop the trigram index on ``issues_issue.search_document`` (PostgreSQL).

No query used it — search goes through the stored tsvector's GIN index and the similarity engine's
lexical evidence is computed in Python — while at a million issues it took 320 MB, two minutes to
build and a share of every insert. Databases migrated from scratch no longer create it (0002).
"""

from django.db import migrations

from kenes.search.fulltext import postgres_index_names


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _fts, trigram = postgres_index_names("issues_issue", "search_document")
        schema_editor.execute(f'DROP INDEX IF EXISTS "{trigram}"')


class Migration(migrations.Migration):
    dependencies = [("issues", "0003_search_link_indexes")]

    operations = [migrations.RunPython(drop, migrations.RunPython.noop, elidable=False)]
