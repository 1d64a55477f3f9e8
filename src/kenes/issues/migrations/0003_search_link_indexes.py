"""Indexes for the search's topic and group filters and facets (kenes.issues.search).

(topic_id, issue_id) and (vulnerablegroup_id, issue_id) on the through tables: the issues of one
topic or group come out of the index alone (an index-only scan) when a filtered search hashes them
against the full-text matches, instead of visiting the through table's rows one page each. The
(issue_id, …) direction is the unique index Django already made.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("issues", "0002_fulltext")]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "issues_issue_topics_topic_issue" '
            'ON "issues_issue_topics" ("topic_id", "issue_id")',
            'DROP INDEX IF EXISTS "issues_issue_topics_topic_issue"',
            elidable=False,
        ),
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "issues_issue_groups_group_issue" '
            'ON "issues_issue_groups" ("vulnerablegroup_id", "issue_id")',
            'DROP INDEX IF EXISTS "issues_issue_groups_group_issue"',
            elidable=False,
        ),
    ]
