"""Filter labels inside the stored tsvector of issues (PostgreSQL).

A search narrowed by region, status, council, topic or vulnerable group asks the GIN index for the
words *and* the filters at once: besides the stems of ``search_document``, every issue's tsvector
holds one label per filter value — ``#r<region id>``, ``#s<status>``, ``#c<council id>``,
``#t<topic id>``, ``#g<group id>``. The index then intersects the posting lists of «жол» and of
``#t12`` itself, and only the issues that match both are read from the table. Before the labels, a
topic filter was a join: every issue matching the words was read (tens of thousands of pages for a
common word) to find the few hundred of the topic, which took half a second at a million issues.

The region, status and council labels are computed by PostgreSQL from the row (the tsvector is a
generated column). Topics and groups live in the many-to-many tables, so their labels are kept in the
``search_labels`` column by statement triggers on those tables, whatever writes them (the ORM's
``set``/``add``/``remove``, bulk loads, the admin). Stems hold letters and digits only, so no word
typed in a search can be or prefix-match a label. Neither column is declared on the model: Django
never reads or writes them. SQLite keeps filtering with joins beside FTS5.
"""

from __future__ import annotations

from kenes.search.fulltext import postgres_index_names, tsvector_column, tsvector_sql

REGION, STATUS, COUNCIL, TOPIC, GROUP = "#r", "#s", "#c", "#t", "#g"


def label(kind: str, value) -> str:
    """The lexeme of one filter value: ``label(TOPIC, 12) == "#t12"``."""
    return f"{kind}{value}"


def parsed(value: str) -> tuple[str, str]:
    """The kind and value of a label: ``parsed("#t12") == ("#t", "12")``."""
    return value[:2], value[2:]


TABLE = "issues_issue"
VECTOR = tsvector_column("search_document")
INDEX = postgres_index_names(TABLE, "search_document")[0]

_ROW_LABELS = (
    "array_to_tsvector(array_remove(ARRAY["
    f"'{REGION}' || region_id::text, '{STATUS}' || status::text, '{COUNCIL}' || council_id::text"
    "], NULL) || search_labels)"
)
_WORDS = tsvector_sql("search_document")  # what ``CreateFullTextIndex`` made

_FUNCTIONS = [
    # The topic and group labels of one issue, sorted (so that an unchanged set compares equal).
    f"""CREATE FUNCTION issues_search_labels(issue bigint) RETURNS text[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(label ORDER BY label), '{{}}') FROM (
            SELECT '{TOPIC}' || topic_id::text AS label FROM issues_issue_topics WHERE issue_id = issue
            UNION ALL
            SELECT '{GROUP}' || vulnerablegroup_id::text FROM issues_issue_groups WHERE issue_id = issue
        ) labels
    $$""",
    # Statement triggers: one UPDATE per statement over the issues it touched, skipping those whose
    # labels did not change (a bulk load that wrote them already costs no second write).
    """CREATE FUNCTION issues_search_labels_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE issues_issue SET search_labels = fresh.labels
        FROM (SELECT id, issues_search_labels(id) AS labels
              FROM (SELECT DISTINCT issue_id AS id FROM changed) touched) fresh
        WHERE issues_issue.id = fresh.id AND issues_issue.search_labels IS DISTINCT FROM fresh.labels;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION issues_search_labels_refresh_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE issues_issue SET search_labels = fresh.labels
        FROM (SELECT id, issues_search_labels(id) AS labels
              FROM (SELECT issue_id AS id FROM before UNION SELECT issue_id FROM after) touched) fresh
        WHERE issues_issue.id = fresh.id AND issues_issue.search_labels IS DISTINCT FROM fresh.labels;
        RETURN NULL;
    END $$""",
]


def _triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_labels_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS changed "
        "FOR EACH STATEMENT EXECUTE FUNCTION issues_search_labels_refresh()",
        f"CREATE TRIGGER {table}_labels_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS changed "
        "FOR EACH STATEMENT EXECUTE FUNCTION issues_search_labels_refresh()",
        f"CREATE TRIGGER {table}_labels_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS before NEW TABLE AS after "
        "FOR EACH STATEMENT EXECUTE FUNCTION issues_search_labels_refresh_moved()",
    ]


def _vector_sql(expression: str) -> list[str]:
    """Replace the generated tsvector column (PostgreSQL 15 cannot alter its expression) and its index."""
    return [
        f"DROP INDEX IF EXISTS {INDEX}",
        f"ALTER TABLE {TABLE} DROP COLUMN {VECTOR}",
        f"ALTER TABLE {TABLE} ADD COLUMN {VECTOR} tsvector GENERATED ALWAYS AS ({expression}) STORED",
        f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({VECTOR})",
    ]


FORWARDS_SQL = [
    *_FUNCTIONS,
    f"ALTER TABLE {TABLE} ADD COLUMN search_labels text[] NOT NULL DEFAULT '{{}}'",
    f"UPDATE {TABLE} SET search_labels = issues_search_labels(id) "
    "WHERE id IN (SELECT issue_id FROM issues_issue_topics UNION SELECT issue_id FROM issues_issue_groups)",
    *_vector_sql(f"{_WORDS} || {_ROW_LABELS}"),
    *_triggers("issues_issue_topics"),
    *_triggers("issues_issue_groups"),
]

BACKWARDS_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_labels_{kind} ON {table}"
        for table in ("issues_issue_topics", "issues_issue_groups")
        for kind in ("insert", "delete", "update")
    ),
    *_vector_sql(_WORDS),
    f"ALTER TABLE {TABLE} DROP COLUMN search_labels",
    "DROP FUNCTION IF EXISTS issues_search_labels_refresh_moved()",
    "DROP FUNCTION IF EXISTS issues_search_labels_refresh()",
    "DROP FUNCTION IF EXISTS issues_search_labels(bigint)",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARDS_SQL:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARDS_SQL:
            schema_editor.execute(statement)
