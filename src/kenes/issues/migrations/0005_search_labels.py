"""Filter labels in the stored tsvector of issues (PostgreSQL; see ``kenes.issues.labels``)."""

from django.db import migrations

from kenes.issues import labels


class Migration(migrations.Migration):
    dependencies = [("issues", "0004_drop_trigram_index")]

    operations = [migrations.RunPython(labels.install, labels.uninstall, elidable=False)]
