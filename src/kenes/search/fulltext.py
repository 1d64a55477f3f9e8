"""The full-text engine of Kenes: one token form, two native back ends (DESIGN §5, §6).

Texts are indexed as *stems*, not as words. ``document`` turns the texts of an object (an issue's
title and description) into the string stored in its ``search_document`` column: every word is
normalised (Latin Kazakh written in Cyrillic, letters folded — ``kenes.search.normalise``) and
stemmed (Kazakh suffix stripper, Snowball Russian and English — ``kenes.search.stemming``).
``query_terms`` does the same to what a user typed, so «jumyssyzdyq», «жұмыссыздыққа» and
«жұмыссыздығы» all meet as ``жумыссыз``. The databases only ever see these tokens, which is why
SQLite and PostgreSQL find the same rows:

* SQLite: an FTS5 external-content table ``<table>_fts`` over the column, kept in sync by triggers,
  ranked with ``bm25``;
* PostgreSQL: a stored generated column ``<column>_tsvector`` = ``to_tsvector('simple', column)``
  with a GIN index, queried with ``@@`` and ranked with ``ts_rank``. (A pg_trgm index on the text
  column existed until issues migration 0004 dropped it: no query used it, and at a million issues
  it took 320 MB, two minutes to build and a share of every insert.) Why a stored column rather than
  an expression index: whenever the planner
  evaluates the match on a row instead of in the index (beside a date or region index, in a lossy
  bitmap, for ``ts_rank``) an expression index re-parses the document, about 40 µs a row; at a
  million issues that made filtered searches take seconds. The model does not declare the column:
  PostgreSQL fills it, and Django never reads or writes it.

A Cyrillic word whose language cannot be told from its spelling («бала», «мектеп») is indexed and
queried under both its Kazakh and its Russian stem: a Kazakh text and a Russian-looking query (or the
other way round) then still meet. Tokens hold letters and digits only, so no query can break the
FTS5 or tsquery syntax. ``CreateFullTextIndex`` is the migration operation that builds all of this.

Changing the token form (this module, the fold table or the stemmers) needs a data migration that
recomputes the stored documents.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from time import monotonic

from django.db import connection as default_connection
from django.db import models
from django.db.migrations.operations.base import Operation
from django.db.models.signals import post_migrate
from django.utils.safestring import SafeString, mark_safe

from . import kazakh, stemming

# A token longer than this is cut (both when indexing and querying): PostgreSQL refuses lexemes over
# 2 KB, and no real word is this long.
MAX_TOKEN = 60
# What a query may hold: longer input is cut before stemming, extra words are dropped (every word
# must match, so dropping words only widens the result).
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 12
# A prefix match on the last word (search as you type) needs this many letters of its stem:
# shorter prefixes expand to most of the index.
MIN_PREFIX = 4
FTS_SUFFIX = "_fts"
TSVECTOR_SUFFIX = "_tsvector"


# --- Tokens -------------------------------------------------------------------------------------


def _clean(token: str) -> str:
    return "".join(char for char in token if char.isalnum())[:MAX_TOKEN]


@lru_cache(maxsize=200_000)
def _word_stems(word: str) -> tuple[str, ...]:
    """The stems one case-folded word (from ``kazakh.script_words``) is indexed under."""
    language = stemming.guess_language(word)
    if language is None:
        if not any(char.isalpha() for char in word):
            languages: tuple[str, ...] = ()
        else:
            languages = ("kk", "ru")
    else:
        languages = (language,)
    if not languages:
        found = [_clean(kazakh.fold_letters(word))]
    else:
        found = [part for lang in languages for part in stemming.stem(word, lang).split()]
    result: list[str] = []
    for item in found:
        item = _clean(item)
        if item and item not in result:
            result.append(item)
    return tuple(result)


def _words(text: str) -> list[str]:
    return kazakh.script_words(text)


def document(*texts: str) -> str:
    """The string stored in a model's ``search_document`` column for ``texts``.

    Deterministic: the stems of every word, in order, separated by single spaces.
    """
    tokens = [stem for text in texts if text for word in _words(text) for stem in _word_stems(word)]
    return " ".join(tokens)


@dataclass(frozen=True)
class Query:
    """A parsed user query: every group must match; a group matches when one of its stems does."""

    groups: tuple[tuple[str, ...], ...]
    prefix_last: bool = False

    def __bool__(self) -> bool:
        return bool(self.groups)

    @property
    def stems(self) -> frozenset[str]:
        return frozenset(stem for group in self.groups for stem in group)


def parse_query(query: str) -> Query:
    """Stems of what a user typed, sanitised: never fails, may be empty (nothing searchable)."""
    text = (query or "").replace("\x00", " ")[:MAX_QUERY_CHARS]
    groups: list[tuple[str, ...]] = []
    for word in _words(text):
        group = _word_stems(word)
        if group and group not in groups:
            groups.append(group)
    groups = groups[:MAX_QUERY_WORDS]
    # Prefix matching on the last word lets a half-typed word find; only when the user did not end
    # the query with a space or punctuation (a finished word), and only for long enough stems.
    stripped = text.rstrip()
    prefix = bool(groups) and stripped == text and bool(text) and text[-1].isalnum()
    prefix = prefix and any(len(stem) >= MIN_PREFIX for stem in groups[-1])
    return Query(tuple(groups), prefix_last=prefix)


def query_terms(query: str) -> list[str]:
    """The stems of a user query, in order (the alternatives of an ambiguous word included)."""
    return [stem for group in parse_query(query).groups for stem in group]


# --- Back ends ----------------------------------------------------------------------------------


def _fts5_expression(query: Query) -> str:
    parts = []
    for index, group in enumerate(query.groups):
        last = query.prefix_last and index == len(query.groups) - 1
        alternatives = [f'"{stem}"' + ("*" if last and len(stem) >= MIN_PREFIX else "") for stem in group]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def _tsquery_expression(query: Query) -> str:
    parts = []
    for index, group in enumerate(query.groups):
        last = query.prefix_last and index == len(query.groups) - 1
        alternatives = [f"'{stem}'" + (":*" if last and len(stem) >= MIN_PREFIX else "") for stem in group]
        parts.append(alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")")
    return " & ".join(parts)


def fts_table(table: str) -> str:
    return f"{table}{FTS_SUFFIX}"


def tsvector_sql(column_sql: str) -> str:
    """The expression of the stored ``<column>_tsvector`` column (PostgreSQL)."""
    return f"to_tsvector('simple'::regconfig, {column_sql})"


def tsvector_column(column: str) -> str:
    return f"{column}{TSVECTOR_SUFFIX}"


class _ColumnSQL(models.Func):
    """Raw SQL around one column: ``{column}`` in ``template`` becomes the compiled column reference.

    Unlike ``RawSQL``, the reference follows the table alias Django gives it (``U0`` in subqueries).
    """

    def __init__(self, column: str, template: str, params: list, *, output_field, suffix: str = ""):
        super().__init__(models.F(column), output_field=output_field)
        self.sql_template = template
        self.sql_params = params
        self.suffix = suffix

    def as_sql(self, compiler, connection, **extra_context):
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        if self.suffix:
            # The stored companion column beside the model's one (``search_document_tsvector``).
            column_sql = column_sql[:-1] + self.suffix + column_sql[-1:]
        return self.sql_template.replace("{column}", column_sql), [*column_params, *self.sql_params]


# A prefix matching more than this share of the rows is left out of the index scan when the finished
# words of the query are ``PREFIX_ODDS`` times rarer (see ``_condition_and_rank``): gathering a
# prefix's rows costs GIN about 0.3 µs a row, checking a row found by the other words on the table
# 5–10 µs, so the finished words alone only pay when they find far fewer rows.
BROAD_PREFIX = 0.02
PREFIX_ODDS = 20
STATS_TTL = 600.0
_stats_cache: dict[tuple[str, str], tuple[float, dict[str, float], float]] = {}


def _lexeme_frequencies(table: str, column: str) -> tuple[dict[str, float], float]:
    """PostgreSQL's most common lexemes of the stored tsvector (``pg_stats``, from ANALYZE) with
    their share of rows, and the share below which a lexeme is not listed; cached per process.
    """
    key = (table, column)
    cached = _stats_cache.get(key)
    now = monotonic()
    if cached is None or now - cached[0] > STATS_TTL:
        frequencies: dict[str, float] = {}
        floor = 0.0
        with default_connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = %s AND attname = %s",
                [table, tsvector_column(column)],
            )
            row = cursor.fetchone()
        if row and row[0] and row[1]:
            frequencies = dict(zip(row[0], row[1], strict=False))
            # The frequencies are followed by their minimum and maximum: the minimum bounds the rest.
            floor = row[1][len(row[0])] if len(row[1]) > len(row[0]) else min(frequencies.values())
        cached = (now, frequencies, floor)
        _stats_cache[key] = cached
    return cached[1], cached[2]


def _share(frequencies: dict[str, float], floor: float, group: tuple[str, ...], *, prefix: bool) -> float:
    """Share of the rows holding one of ``group``'s lexemes (or, with ``prefix``, a lexeme starting
    with one of them), from the statistics; a lexeme too rare to be listed counts half the floor."""
    if prefix:
        starts = tuple(stem for stem in group if len(stem) >= MIN_PREFIX)
        return sum(share for lexeme, share in frequencies.items() if lexeme.startswith(starts))
    return sum(frequencies.get(stem, floor / 2) for stem in group)


def _prefix_is_broad(table: str, column: str, parsed: Query, labels: tuple[str, ...] = ()) -> bool:
    """Whether the prefix of the last word matches many rows while the other words (and labels)
    match fewer."""
    finished_groups = [*parsed.groups[:-1], *((label,) for label in labels)]
    if not parsed.prefix_last or not parsed.groups or not finished_groups:
        return False
    frequencies, floor = _lexeme_frequencies(table, column)
    if not frequencies:
        return False
    broad = _share(frequencies, floor, parsed.groups[-1], prefix=True)
    finished = min(_share(frequencies, floor, group, prefix=False) for group in finished_groups)
    return broad > BROAD_PREFIX and finished * PREFIX_ODDS < broad


def finished_words(model: type[models.Model], parsed: Query, *, column: str = "search_document") -> Query:
    """``parsed`` without the prefix match of its last word when that word is already an indexed one.

    A prefix lets a half-typed word find (``мект`` → мектеп); a finished word does not need it, and
    asking the index for every word starting with a common stem costs more than the rest of the
    search (GIN unions the postings of every matching lexeme, 50–100 ms at a million issues). One
    lookup tells: if some document holds the stem itself, the word is taken as typed to the end. On
    PostgreSQL a stem among the most common lexemes of the last ANALYZE needs no lookup.
    """
    if not parsed.prefix_last:
        return parsed
    connection = default_connection
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    stems = [stem for stem in parsed.groups[-1] if len(stem) >= MIN_PREFIX]
    if connection.vendor == "postgresql":
        # A lexeme among the most common of the last ANALYZE is known without asking the index.
        frequencies, _floor = _lexeme_frequencies(model._meta.db_table, column)
        if any(stem in frequencies for stem in stems):
            return Query(parsed.groups, prefix_last=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE {quote(tsvector_column(column))} @@ %s::tsquery LIMIT 1",
                [label_tsquery(stems, any_of=True)],
            )
        else:
            fts = quote(fts_table(model._meta.db_table))
            cursor.execute(
                f"SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT 1",
                [" OR ".join(f'"{stem}"' for stem in stems)],
            )
        known = cursor.fetchone() is not None
    return Query(parsed.groups, prefix_last=False) if known else parsed


def estimated_share(
    model: type[models.Model], parsed: Query, labels=(), *, column="search_document", independent=False
) -> float:
    """PostgreSQL's idea of the share of rows matching the words and labels, from the statistics of
    the stored tsvector: the share of the rarest group (an upper bound, words that go together are
    not independent), or with ``independent`` the product of the groups' shares, as the planner
    estimates it. 0 when there are no statistics."""
    frequencies, floor = _lexeme_frequencies(model._meta.db_table, column)
    if not frequencies:
        return 0.0
    groups = [*parsed.groups, *((label,) for label in labels)]
    last = len(parsed.groups) - 1
    shares = [
        _share(frequencies, floor, group, prefix=parsed.prefix_last and index == last)
        for index, group in enumerate(groups)
    ]
    if not shares:
        return 1.0
    return min(1.0, math.prod(shares) if independent else min(shares))


def label_tsquery(labels: tuple[str, ...] | list[str], *, any_of: bool = False) -> str:
    """A tsquery matching documents that carry every lexeme of ``labels`` (``any_of``: one of them)
    verbatim, for a ``::tsquery`` cast: ``to_tsquery`` would parse ``#t12`` into ``t12``."""
    return (" | " if any_of else " & ").join("'" + label.replace("'", "''") + "'" for label in labels)


def _tsquery_sql(parsed: Query, labels: tuple[str, ...]) -> tuple[str, list[str]]:
    """SQL of the tsquery of ``parsed``'s words and ``labels`` (PostgreSQL), with its parameters."""
    parts, params = [], []
    if parsed:
        parts.append("to_tsquery('simple'::regconfig, %s)")
        params.append(_tsquery_expression(parsed))
    if labels:
        parts.append("%s::tsquery")
        params.append(label_tsquery(labels))
    return "(" + " && ".join(parts) + ")", params


def _condition_and_rank(
    queryset: models.QuerySet,
    parsed: Query,
    column: str,
    labels: tuple[str, ...] = (),
    *,
    indexed: bool = True,
) -> tuple[models.Func, models.Func | None]:
    connection = default_connection
    if connection.vendor == "postgresql":
        vector = "{column}"
        everything, params = _tsquery_sql(parsed, labels)
        # The stored column ``<column>_tsvector`` (see ``CreateFullTextIndex``): never re-parsed.
        if not indexed:
            # ``ts_match_vq`` is ``@@`` as a function: the planner cannot take it to the GIN index and
            # checks it on the rows another plan reads — the newest first along ``created_at`` for a
            # query that matches a good share of the table, a few rows per hit.
            template, condition_params = f"ts_match_vq({vector}, {everything})", params
        elif _prefix_is_broad(queryset.model._meta.db_table, column, parsed, labels):
            # A prefix (``'раио':*``) is a partial match for GIN, which gathers every row of every
            # lexeme starting so into a bitmap before anything else is looked at — 100+ ms for a
            # common word at a million rows. The index is then asked for the finished words and
            # labels only (GIN skips through their posting lists) and the whole query is checked on
            # those rows with ``ts_match_vq``. Same rows, far less work.
            finished, finished_params = _tsquery_sql(Query(parsed.groups[:-1]), labels)
            template = f"{vector} @@ {finished} AND ts_match_vq({vector}, {everything})"
            condition_params = [*finished_params, *params]
        else:
            template, condition_params = f"{vector} @@ {everything}", params
        condition = _ColumnSQL(
            column, template, condition_params, output_field=models.BooleanField(), suffix=TSVECTOR_SUFFIX
        )
        rank = None
        if parsed:
            rank = _ColumnSQL(
                column,
                f"ts_rank({vector}, to_tsquery('simple'::regconfig, %s))",
                [_tsquery_expression(parsed)],
                output_field=models.FloatField(),
                suffix=TSVECTOR_SUFFIX,
            )
        return condition, rank
    if labels:
        raise NotImplementedError("labels are PostgreSQL's: on SQLite, filter the queryset")
    if connection.vendor == "sqlite":
        expression = _fts5_expression(parsed)
        fts = connection.ops.quote_name(fts_table(queryset.model._meta.db_table))
        condition = _ColumnSQL(
            "pk",
            f"{{column}} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)",
            [expression],
            output_field=models.BooleanField(),
        )
        # bm25 is lower for better matches; negated so that both databases order by -rank.
        rank = _ColumnSQL(
            "pk",
            f"(SELECT -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s AND rowid = {{column}})",
            [expression],
            output_field=models.FloatField(),
        )
        return condition, rank
    raise NotImplementedError(connection.vendor)  # pragma: no cover - SQLite and PostgreSQL only


def matching(
    queryset: models.QuerySet,
    query: str | Query,
    *,
    column: str = "search_document",
    rank: bool = True,
    labels: tuple[str, ...] | list[str] = (),
    indexed: bool = True,
) -> models.QuerySet:
    """``queryset`` narrowed to the rows matching every word of ``query``, annotated with ``rank``.

    ``rank`` is higher for better matches on both databases (order by ``-rank``); ``rank=False``
    leaves it out, for counts and facets. A query with nothing searchable in it (punctuation, emoji)
    matches no row — unless ``labels`` are given: PostgreSQL only, lexemes stored beside the words
    (``kenes.issues.labels``) that every match must also carry; with an empty query the rows carrying
    them. ``indexed=False`` writes the match so that the planner checks it row by row instead of
    asking the GIN index (see ``_condition_and_rank``).
    """
    parsed = query if isinstance(query, Query) else parse_query(query)
    labels = tuple(labels)
    if not parsed and not labels:
        queryset = queryset.none()
        return (
            queryset.annotate(rank=models.Value(0.0, output_field=models.FloatField())) if rank else queryset
        )
    condition, rank_expression = _condition_and_rank(queryset, parsed, column, labels, indexed=indexed)
    queryset = queryset.filter(condition)
    if not rank:
        return queryset
    return queryset.annotate(
        rank=rank_expression
        if rank_expression is not None
        else models.Value(0.0, output_field=models.FloatField())
    )


def rank(queryset: models.QuerySet, query: str | Query, *, column: str = "search_document") -> models.Func:
    """The relevance expression of ``matching`` alone (higher is better), to annotate or select.

    For a queryset already narrowed by ``matching(..., rank=False)``: ranks its rows without a
    second match condition. ``query`` must hold something searchable.
    """
    parsed = query if isinstance(query, Query) else parse_query(query)
    return _condition_and_rank(queryset, parsed, column)[1]


def ranks(
    model: type[models.Model], query: str | Query, ids: list[int], *, column: str = "search_document"
) -> dict:
    """Relevance (higher is better, as ``matching``'s ``rank``) of the rows ``ids`` that match ``query``.

    One query for a known, bounded set of rows: cheaper than ordering a queryset by ``rank`` on
    SQLite, whose ``bm25`` cannot be joined to the table and would run once per row.
    """
    parsed = query if isinstance(query, Query) else parse_query(query)
    if not parsed or not ids:
        return {}
    connection = default_connection
    quote = connection.ops.quote_name
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {quote(pk)}, ts_rank({quote(tsvector_column(column))}, to_tsquery('simple'::regconfig, %s)) "
                f"FROM {quote(table)} WHERE {quote(pk)} = ANY(%s)",
                [_tsquery_expression(parsed), list(ids)],
            )
        else:
            # FTS5 computes bm25 for every match of one MATCH scan, and seeks rowids one by one:
            # a single scan, intersected here, is faster than constraining it to ``ids``.
            fts = quote(fts_table(table))
            cursor.execute(
                f"SELECT rowid, -bm25({fts}) FROM {fts} WHERE {fts} MATCH %s", [_fts5_expression(parsed)]
            )
            wanted = set(ids)
            return {rowid: score for rowid, score in cursor.fetchall() if rowid in wanted}
        return dict(cursor.fetchall())


# --- Highlighting -------------------------------------------------------------------------------

_RE_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_RE_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _matches(text: str, query: Query) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` whose stems match a stem of ``query``."""
    if not query:
        return []
    stems = query.stems
    prefixes = (
        tuple(stem for stem in query.groups[-1] if len(stem) >= MIN_PREFIX) if query.prefix_last else ()
    )
    latin_kazakh = kazakh.has_latin(text) and kazakh.detect_latin_kazakh(text)
    spans = []
    for match in _RE_WORD.finditer(text):
        word_stems = _shown_word_stems(match.group(), latin_kazakh)
        if not word_stems.isdisjoint(stems) or (
            prefixes and any(stem.startswith(prefixes) for stem in word_stems)
        ):
            spans.append(match.span())
    return spans


@lru_cache(maxsize=100_000)
def _shown_word_stems(word: str, latin_kazakh: bool) -> frozenset[str]:
    """The stems of one word as written in a text (``latin_kazakh``: the text is Kazakh in Latin)."""
    if latin_kazakh and not _RE_CYRILLIC.search(word):
        word = kazakh.latin_to_cyrillic(word)
    return frozenset(stem for item in _words(word) for stem in _word_stems(item))


def snippet(text: str, query: str | Query, *, limit: int = 240) -> tuple[str, list[tuple[int, int]]]:
    """A plain-text excerpt of ``text`` of about ``limit`` characters around its first match, and the
    (start, end) offsets of the matching words inside the excerpt. Whole text when it is short enough.
    """
    parsed = query if isinstance(query, Query) else parse_query(query)
    text = text or ""
    spans = _matches(text, parsed)
    if len(text) <= limit:
        return text, spans
    first = spans[0][0] if spans else 0
    start = max(0, first - limit // 4)
    if start:
        # Start on a word: after the nearest space before ``start`` (or at the match).
        space = text.rfind(" ", 0, start)
        start = space + 1 if space != -1 and first - space <= limit // 2 else start
    end = min(len(text), start + limit)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > max(first, start) else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    excerpt = prefix + text[start:end].strip() + suffix
    shift = len(prefix) - start - (len(text[start:end]) - len(text[start:end].lstrip()))
    inside = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return excerpt, inside


def highlight(text: str, query: str | Query, *, limit: int = 240) -> SafeString:
    """HTML of ``snippet``: the text escaped, matching words wrapped in ``<mark>``."""
    return marked(*snippet(text, query, limit=limit))


def marked(excerpt: str, spans: list[tuple[int, int]]) -> SafeString:
    """``excerpt`` as HTML, escaped, with the ``spans`` (from ``snippet``) wrapped in ``<mark>``."""
    parts = []
    position = 0
    for start, end in spans:
        parts.append(html.escape(excerpt[position:start]))
        parts.append(f"<mark>{html.escape(excerpt[start:end])}</mark>")
        position = end
    parts.append(html.escape(excerpt[position:]))
    # (``html.escape`` is what Django's ``escape`` calls, without its lazy-string wrapper.)
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above


# --- Migration operation ------------------------------------------------------------------------


def _sqlite_triggers(table: str, column: str, pk: str = "id") -> list[str]:
    fts = fts_table(table)
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ai" AFTER INSERT ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"(rowid, "{column}") VALUES (new."{pk}", new."{column}"); END',
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_ad" AFTER DELETE ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, "{column}") VALUES (\'delete\', old."{pk}", old."{column}"); END',
        f'CREATE TRIGGER IF NOT EXISTS "{fts}_au" AFTER UPDATE OF "{column}" ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, "{column}") VALUES (\'delete\', old."{pk}", old."{column}"); '
        f'INSERT INTO "{fts}"(rowid, "{column}") VALUES (new."{pk}", new."{column}"); END',
    ]


def postgres_index_names(table: str, column: str) -> tuple[str, str]:
    return f"{table}_{column}_fts"[:63], f"{table}_{column}_trgm"[:63]


class CreateFullTextIndex(Operation):
    """Full-text index over ``column`` of ``table`` on SQLite (FTS5) or PostgreSQL (stored tsvector, GIN).

    Runs backwards (drops what it made).
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, column: str):
        self.table = table
        self.column = column

    def deconstruct(self):
        return self.__class__.__name__, [], {"table": self.table, "column": self.column}

    def state_forwards(self, app_label, state):
        pass  # no model state: the index lives beside the model

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.forwards_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.backwards_sql(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)

    def forwards_sql(self, vendor: str) -> list[str]:
        table, column = self.table, self.column
        if vendor == "sqlite":
            fts = fts_table(table)
            return [
                f'CREATE VIRTUAL TABLE "{fts}" USING fts5("{column}", content=\'{table}\', '
                f"content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
                *_sqlite_triggers(table, column),
                f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',
            ]
        if vendor == "postgresql":
            vector = tsvector_column(column)
            return [
                f'ALTER TABLE "{table}" ADD COLUMN "{vector}" tsvector '
                f"GENERATED ALWAYS AS ({tsvector_sql(chr(34) + column + chr(34))}) STORED",
                *self.index_sql(vendor),
            ]
        raise NotImplementedError(vendor)

    def backwards_sql(self, vendor: str) -> list[str]:
        table, column = self.table, self.column
        if vendor == "sqlite":
            fts = fts_table(table)
            return [
                *(f'DROP TRIGGER IF EXISTS "{fts}_{kind}"' for kind in ("ai", "ad", "au")),
                f'DROP TABLE IF EXISTS "{fts}"',
            ]
        if vendor == "postgresql":
            return [
                *self.drop_index_sql(vendor),
                f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS "{tsvector_column(column)}"',
            ]
        raise NotImplementedError(vendor)

    def index_sql(self, vendor: str) -> list[str]:
        """PostgreSQL: the GIN index alone (bulk loads drop and rebuild it)."""
        fts_index, _trigram_index = postgres_index_names(self.table, self.column)
        return [f'CREATE INDEX "{fts_index}" ON "{self.table}" USING gin ("{tsvector_column(self.column)}")']

    def drop_index_sql(self, vendor: str) -> list[str]:
        # Also the trigram index of databases migrated before issues 0004.
        return [f'DROP INDEX IF EXISTS "{name}"' for name in postgres_index_names(self.table, self.column)]

    def describe(self):
        return f"Create a full-text index on {self.table}.{self.column}"

    @property
    def migration_name_fragment(self):
        return f"fulltext_{self.table}_{self.column}"


def _restore_sqlite_triggers(sender=None, using="default", **kwargs):
    """Recreate the FTS5 sync triggers after ``migrate``.

    On SQLite, Django changes a table by copying it into a new one, which drops the table's triggers:
    without this an ``AlterField`` on ``issues_issue`` would silently stop keeping its index current.
    The FTS tables are found in the schema, so this needs no list of indexes.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s AND sql LIKE %s",
            [f"%{FTS_SUFFIX}", "%USING fts5%content=%"],
        )
        for (name,) in cursor.fetchall():
            table = name[: -len(FTS_SUFFIX)]
            cursor.execute(f'PRAGMA table_info("{name}")')
            columns = [row[1] for row in cursor.fetchall()]
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            if len(columns) == 1 and cursor.fetchone():
                for statement in _sqlite_triggers(table, columns[0]):
                    cursor.execute(statement)


post_migrate.connect(_restore_sqlite_triggers, dispatch_uid="kenes.search.fulltext.restore_sqlite_triggers")
