"""The full-text index of topical problems (kenes.search.fulltext): FTS5 on SQLite, GIN on PostgreSQL."""

from django.db import migrations

from kenes.search.fulltext import CreateFullTextIndex


class Migration(migrations.Migration):
    dependencies = [("issues", "0001_initial")]

    operations = [CreateFullTextIndex(table="issues_issue", column="search_document")]
