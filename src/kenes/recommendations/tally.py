"""The response tally: the counts behind the response and on-time rates and the decision mix, per
state body and due date, kept current by database triggers (one place, whatever writes a dispatch:
services, ``QuerySet.update``, bulk loads, the admin).

A dispatch counts in the tally row of its body and due date when it is sent and has a due date — the
same membership as ``D`` in ``metrics`` — and adds 1 to ``total``, to ``answered`` when it has an
answer, to ``on_time`` when that answer came on or before the due date, and to its answer's column.
Every dispatch is counted twice: in its day row (``grain`` = ``d``) and in its month row (``m``,
``due_on`` = the first of the month), so that a year is read from twelve rows per body and only the
ragged ends of a period from day rows. ``metrics.rates_by`` and ``metrics.decision_mix`` read it for
scopes that are sets of bodies (a body, a region, the country); a council's figures, which cut across
bodies, are counted from the dispatches directly. ``rebuild()`` recounts everything, and a test checks
that the triggers keep the tally equal to that recount after every kind of write.

PostgreSQL: three statement-level triggers with transition tables add the difference of the changed
rows in one upsert per statement (a bulk insert of 10,000 dispatches is one upsert), in key order so
that concurrent writers lock tally rows in the same order. SQLite: row-level triggers; Django drops a
table's triggers when it rebuilds the table on ``migrate``, so ``install`` runs after every migrate
(and after every ``flush``) and recounts there.
"""

from __future__ import annotations

from django.db import connections, transaction
from django.db.models.signals import post_migrate

TABLE = "recommendations_dispatchtally"
DISPATCH = "recommendations_dispatch"
ANSWERS = ("accepted", "partially", "rejected", "not_competent")
COUNTS = ("total", "answered", "on_time", *ANSWERS)
TRIGGERS = ("recommendations_tally_insert", "recommendations_tally_update", "recommendations_tally_delete")


def _contribution(row: str, sign: str, vendor: str) -> list[str]:
    """The select list of one dispatch row's contribution (``sign`` is ``''`` or ``'-'``)."""
    as_int = "::int" if vendor == "postgresql" else ""
    answered = f"({row}.answered_on IS NOT NULL){as_int}"
    on_time = f"(COALESCE({row}.answered_on <= {row}.due_on, FALSE)){as_int}"
    answers = [f"({row}.answer = '{answer}'){as_int}" for answer in ANSWERS]
    return [f"{sign}1", f"{sign}{answered}", f"{sign}{on_time}", *(f"{sign}{a}" for a in answers)]


def _month(expression: str, vendor: str) -> str:
    if vendor == "postgresql":
        return f"date_trunc('month', {expression})::date"
    return f"strftime('%Y-%m-01', {expression})"


_COUNTED = "{row}.sent_on IS NOT NULL AND {row}.due_on IS NOT NULL"
_UPSERT = " ON CONFLICT (grain, due_on, body_id) DO UPDATE SET " + ", ".join(
    f"{name} = {TABLE}.{name} + excluded.{name}" for name in COUNTS
)
_COLUMNS = f"{TABLE} (grain, due_on, body_id, {', '.join(COUNTS)})"


def _postgres_sql() -> list[str]:
    def rows(table: str, sign: str, where: str = "") -> str:
        counts = ", ".join(_contribution("r", sign, "postgresql"))
        condition = _COUNTED.format(row="r") + (f" AND {where}" if where else "")
        return (
            f"SELECT 'd' AS grain, r.due_on, r.body_id, {counts} FROM {table} r WHERE {condition} "
            f"UNION ALL SELECT 'm', {_month('r.due_on', 'postgresql')}, r.body_id, {counts} "
            f"FROM {table} r WHERE {condition}"
        )

    sums = ", ".join(f"SUM(c{n})" for n in range(len(COUNTS)))
    aliases = ", ".join(f"c{n}" for n in range(len(COUNTS)))

    def upsert(source: str) -> str:
        return (
            f"INSERT INTO {_COLUMNS} SELECT grain, due_on, body_id, {sums} "
            f"FROM ({source}) AS delta (grain, due_on, body_id, {aliases}) "
            f"GROUP BY grain, due_on, body_id ORDER BY grain, due_on, body_id{_UPSERT}"
        )

    changed = (
        "r.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE "
        "(o.body_id, o.sent_on, o.due_on, o.answered_on, o.answer) IS DISTINCT FROM "
        "(n.body_id, n.sent_on, n.due_on, n.answered_on, n.answer))"
    )
    functions = {
        "insert": upsert(rows("new_rows", "")),
        "delete": upsert(rows("old_rows", "-")),
        "update": f"IF EXISTS (SELECT 1 FROM old_rows r WHERE {changed}) THEN "
        + upsert(f"{rows('old_rows', '-', changed)} UNION ALL {rows('new_rows', '', changed)}")
        + "; END IF",
    }
    statements = []
    for event, body in functions.items():
        name = f"recommendations_tally_{event}"
        referencing = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {DISPATCH}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {DISPATCH} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_sql() -> list[str]:
    def add(row: str, sign: str) -> str:
        counts = ", ".join(_contribution(row, sign, "sqlite"))
        condition = _COUNTED.format(row=row)
        # "WHERE true" before ON CONFLICT: SQLite's parser needs it after INSERT … SELECT.
        return (
            f"INSERT INTO {_COLUMNS} SELECT 'd', {row}.due_on, {row}.body_id, {counts} WHERE {condition} "
            f"UNION ALL SELECT 'm', {_month(f'{row}.due_on', 'sqlite')}, {row}.body_id, {counts} "
            f"WHERE {condition}{_UPSERT};"
        )

    changed = (
        "(OLD.body_id, OLD.sent_on, OLD.due_on, OLD.answered_on, OLD.answer) IS NOT "
        "(NEW.body_id, NEW.sent_on, NEW.due_on, NEW.answered_on, NEW.answer)"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS recommendations_tally_insert AFTER INSERT ON {DISPATCH} "
        f"BEGIN {add('NEW', '')} END",
        f"CREATE TRIGGER IF NOT EXISTS recommendations_tally_delete AFTER DELETE ON {DISPATCH} "
        f"BEGIN {add('OLD', '-')} END",
        f"CREATE TRIGGER IF NOT EXISTS recommendations_tally_update AFTER UPDATE ON {DISPATCH} "
        f"WHEN {changed} BEGIN {add('OLD', '-')} {add('NEW', '')} END",
    ]


def install_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _postgres_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(vendor)


def uninstall_sql(vendor: str) -> list[str]:
    statements = [
        f"DROP TRIGGER IF EXISTS {name}" + (f" ON {DISPATCH}" if vendor == "postgresql" else "")
        for name in TRIGGERS
    ]
    if vendor == "postgresql":
        statements += [f"DROP FUNCTION IF EXISTS {name}()" for name in TRIGGERS]
    return statements


def migration_install(apps, schema_editor) -> None:
    """For ``RunPython`` in migrations: create the triggers (``install`` runs after migrate too)."""
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def migration_uninstall(apps, schema_editor) -> None:
    """For ``RunPython``: drop the triggers, before SQLite rebuilds or drops a table they name."""
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
                [list(TRIGGERS)],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)", TRIGGERS
            )
        return cursor.fetchone()[0] == len(TRIGGERS)


def rebuild(using: str = "default") -> None:
    """Recount the whole tally from the dispatches (what the triggers keep it equal to)."""
    connection = connections[using]
    vendor = connection.vendor
    counts = ", ".join(f"SUM({expression})" for expression in _contribution("r", "", vendor))
    condition = _COUNTED.format(row="r")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if vendor == "postgresql":  # writers wait while the recount runs, so none is counted twice
            cursor.execute(f"LOCK TABLE {DISPATCH} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {TABLE}")
        for grain, key in (("d", "r.due_on"), ("m", _month("r.due_on", vendor))):
            cursor.execute(
                f"INSERT INTO {_COLUMNS} SELECT '{grain}', {key}, r.body_id, {counts} "
                f"FROM {DISPATCH} r WHERE {condition} GROUP BY {key}, r.body_id"
            )


def install(using: str = "default") -> None:
    """Create the triggers (idempotent); recount when they were missing, since writes made without
    them are not in the tally. On SQLite recount every time: ``flush`` (which also sends
    ``post_migrate``) deletes table by table, so dispatches deleted after the tally leave rows."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    if TABLE not in connection.introspection.table_names():
        return  # before the migration that creates the table
    complete = installed(connection)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)
    if not complete or connection.vendor == "sqlite":
        rebuild(using)


def _after_migrate(sender=None, using="default", **kwargs):
    install(using)


post_migrate.connect(_after_migrate, dispatch_uid="kenes.recommendations.tally.install")
