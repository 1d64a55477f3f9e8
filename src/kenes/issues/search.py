"""Search of topical problems: the issues list page, ``/api/v1/search`` and the site search box.

Full text through ``kenes.search.fulltext`` (any script, Kazakh morphology, Russian and English
stems), filters, facets with counts and highlighted excerpts. Only public issues are searched.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kenes.core.models import Region, Topic, VulnerableGroup
from kenes.councils.models import Council
from kenes.search import fulltext
from kenes.search.registry import Hit

from . import labels
from .models import PRIVATE_STATUSES, Issue

FACETS = ("region", "topic", "status", "group")
MAX_PER_PAGE = 100
# Above this many matching issues the total is estimated (``_size_of`` on PostgreSQL, a count on
# SQLite) and the facets are counted on
# the first ``FACET_SAMPLE`` matches the index gives and scaled to it; the result says so
# (``total_estimated``, ``facets_estimated``). Exact counts over hundreds of thousands of rows cost
# far more than the 50 ms a search may take.
FACET_SAMPLE = 1_000
# The counts of a filtered facet's other values (the result without that facet's own filter, shown
# so that a user can switch) come from a smaller sample: exact up to this many issues.
OTHER_VALUES_SAMPLE = 250
SITE_SEARCH_LIMIT = 10
# Relevance is computed per matching row (``ts_rank`` on PostgreSQL, ``bm25`` on SQLite): up to this many matches the result is ordered by it,
# above it newest first (``ranked`` is False) — a broad query then reads like a feed, in bounded time.
RANK_LIMIT = 2_000


@dataclass(frozen=True)
class IssueFilters:
    """What a search is narrowed to; codes as in the reference data, empty for "any"."""

    region: str = ""
    topic: str = ""
    status: str = ""
    group: str = ""
    council: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class IssueHit:
    issue: Issue
    rank: float | None
    title_html: SafeString
    title_highlights: list[tuple[int, int]]
    snippet: str
    snippet_html: SafeString
    # (start, end) character offsets of the matching words inside ``snippet``.
    highlights: list[tuple[int, int]]


@dataclass
class IssueSearchResult:
    query: str
    hits: list[IssueHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_estimated: bool = False
    # A query was typed but holds nothing searchable (only punctuation or emoji): nothing matches.
    empty_query: bool = False
    # ``total`` is an estimate: more than ``FACET_SAMPLE`` issues match (PostgreSQL).
    total_estimated: bool = False
    # Ordered by relevance (a query matching at most ``RANK_LIMIT`` issues), else newest first.
    ranked: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(
    base: QuerySet, filters: IssueFilters, ids: dict[str, int | None], *, skip: str = ""
) -> QuerySet:
    """SQLite: the filters as conditions and joins beside the FTS5 match (PostgreSQL asks its index
    for them, see ``_postgres_set``)."""
    queryset = base
    if filters.region and skip != "region":
        queryset = queryset.filter(region_id=ids["region"])
    if filters.topic and skip != "topic":
        queryset = queryset.filter(topics=ids["topic"])
    if filters.group and skip != "group":
        queryset = queryset.filter(groups=ids["group"])
    if filters.status and skip != "status":
        queryset = queryset.filter(status=filters.status)
    if filters.council:
        queryset = queryset.filter(council_id=ids["council"])
    return _period(queryset, filters)


# Regions, topics and vulnerable groups are reference data: read once per process (and again after
# ``REFERENCE_TTL`` seconds or any save or delete of one of them), not on every search.
REFERENCE_TTL = 300.0
_REFERENCE_MODELS = {"region": Region, "topic": Topic, "group": VulnerableGroup}
_reference_cache: dict[str, tuple[float, dict[str, int], dict[int, object], dict[int, object]]] = {}
# Facet labels per (language, time of each reference reading), see ``_facet_labels``.
_label_cache: dict[tuple, dict[str, dict]] = {}


def _reference(name: str) -> tuple[dict[str, int], dict[int, object]]:
    """(code -> pk of every row, pk -> living row) of the reference model of facet ``name``."""
    return _reference_rows(name)[:2]


def _reference_rows(name: str) -> tuple[dict[str, int], dict[int, object], dict[int, object]]:
    """(code -> pk of every row, pk -> living row, pk -> every row)."""
    cached = _reference_cache.get(name)
    now = monotonic()
    if cached is None or now - cached[0] > REFERENCE_TTL:
        rows = list(_REFERENCE_MODELS[name]._default_manager.all())
        by_code = {row.code: row.pk for row in rows}
        alive = {row.pk: row for row in rows if row.deleted_at is None}
        cached = (now, by_code, alive, {row.pk: row for row in rows})
        _reference_cache[name] = cached
    return cached[1], cached[2], cached[3]


def _attach_links(issues: list[Issue]) -> None:
    """Each issue's topics and vulnerable groups as ``issue.topic_list`` and ``issue.group_list``
    (sorted by code), from the reference cache: what ``prefetch_related`` would give, without
    building a queryset and model objects per link. On PostgreSQL from the labels the page's rows
    carry (``_shown``, ``kenes.issues.labels``), elsewhere in one query."""
    topics, groups = _reference_rows("topic")[2], _reference_rows("group")[2]
    for issue in issues:
        issue.topic_list, issue.group_list = [], []
    if not issues:
        return
    if connection.vendor == "postgresql":
        links = [
            (issue, kind, int(value))
            for issue in issues
            for kind, value in map(labels.parsed, issue.link_labels)
        ]
    else:
        by_pk = {issue.pk: issue for issue in issues}
        keys = list(by_pk)  # a page: at most ``MAX_PER_PAGE``, within SQLite's limit on parameters
        marks = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT issue_id, '{labels.TOPIC}', topic_id FROM issues_issue_topics WHERE issue_id IN ({marks}) "
                f"UNION ALL SELECT issue_id, '{labels.GROUP}', vulnerablegroup_id FROM issues_issue_groups "
                f"WHERE issue_id IN ({marks})",
                keys * 2,
            )
            links = [(by_pk[issue_id], kind, pk) for issue_id, kind, pk in cursor.fetchall()]
    for issue, kind, pk in links:
        row = (topics if kind == labels.TOPIC else groups).get(pk)
        if row is not None:
            (issue.topic_list if kind == labels.TOPIC else issue.group_list).append(row)
    for issue in issues:
        issue.topic_list.sort(key=lambda row: row.code)
        issue.group_list.sort(key=lambda row: row.code)


def _forget_reference(sender=None, **kwargs):
    _reference_cache.clear()
    _label_cache.clear()


for _model in _REFERENCE_MODELS.values():
    for _signal in (post_save, post_delete):
        _signal.connect(
            _forget_reference, sender=_model, dispatch_uid=f"kenes.issues.search.{_model.__name__}"
        )


def _resolve(filters: IssueFilters) -> dict[str, int | None] | None:
    """Primary keys of the coded filters; None when a code names nothing (no issue can match)."""
    ids: dict[str, int | None] = {}
    for name in ("region", "topic", "group"):
        code = getattr(filters, name)
        if code:
            ids[name] = _reference(name)[0].get(code)
            if ids[name] is None:
                return None
    if filters.council:
        ids["council"] = (
            Council._default_manager.filter(code=filters.council).values_list("pk", flat=True).first()
        )
        if ids["council"] is None:
            return None
    return ids


@dataclass
class _Set:
    """A sample of a set of matching issues — all of it when small — and the set's size."""

    rows: list[tuple[int, int | None, str]]
    size: int
    estimated: bool

    @property
    def scale(self) -> float:
        return self.size / len(self.rows) if self.estimated and self.rows else 1.0


def _estimated_count(queryset: QuerySet) -> int:
    """The planner's estimate of the number of rows (PostgreSQL), or the exact count (SQLite)."""
    if connection.vendor != "postgresql":
        return queryset.order_by().count()
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _sample(queryset: QuerySet) -> _Set:
    """Up to ``FACET_SAMPLE`` rows of ``queryset``: exact below it, an estimated size above it.

    Counting hundreds of thousands of matches exactly costs far more than a search may take.
    """
    rows = list(queryset.order_by().values_list("pk", "region_id", "status")[: FACET_SAMPLE + 1])
    if len(rows) <= FACET_SAMPLE:
        return _Set(rows, len(rows), estimated=False)
    rows = rows[:FACET_SAMPLE]
    return _Set(rows, max(_estimated_count(queryset), FACET_SAMPLE + 1), estimated=True)


def _linked(name: str, issue_ids: list[int]) -> list[int]:
    """Topic or group ids of the issues ``issue_ids``, one per link (SQLite's facets)."""
    through = (Issue.topics if name == "topic" else Issue.groups).through
    column = "topic_id" if name == "topic" else "vulnerablegroup_id"
    table = connection.ops.quote_name(through._meta.db_table)
    found: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(issue_ids), 500):  # within SQLite's limit on parameters
            chunk = issue_ids[start : start + 500]
            cursor.execute(
                f"SELECT {column} FROM {table} WHERE issue_id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )
            found += [row[0] for row in cursor.fetchall()]
    return found


def _facet_counts(found: _Set, name: str) -> dict[int | str, int]:
    counts: Counter = Counter()
    if name in ("region", "status"):
        counts.update(row[1 if name == "region" else 2] for row in found.rows)
        counts.pop(None, None)
    else:
        counts.update(_linked(name, [row[0] for row in found.rows]))
    return {key: round(count * found.scale) for key, count in counts.items()}


def _facet_labels() -> dict[str, dict]:
    """(code, label) of every living facet value by key, in the active language: built once per
    language and reading of the reference data, not localised again on every search."""
    rows = {name: _reference(name)[1] for name in ("region", "topic", "group")}  # refreshed if stale
    key = (get_language(), tuple(_reference_cache[name][0] for name in _REFERENCE_MODELS))
    labels = _label_cache.get(key)
    if labels is None:
        labels = {
            name: {pk: (row.code, row.name) for pk, row in alive.items()} for name, alive in rows.items()
        }
        labels["status"] = {value: (value, str(label)) for value, label in Issue.Status.choices}
        if len(_label_cache) > 20:  # old readings of the reference data
            _label_cache.clear()
        _label_cache[key] = labels
    return labels


def _labelled(counts: dict[str, dict]) -> dict[str, list[FacetValue]]:
    labels = _facet_labels()
    return {
        name: sorted(
            (
                FacetValue(code=labels[name][key][0], label=labels[name][key][1], count=count)
                for key, count in counts[name].items()
                if key in labels[name]
            ),
            key=lambda value: (-value.count, value.label),
        )
        for name in FACETS
    }


def _facets(
    base: QuerySet, filters: IssueFilters, ids: dict[str, int | None], result_set: _Set
) -> tuple[dict[str, list[FacetValue]], bool]:
    """Counts per value of each facet, each with the other filters applied (standard faceting)."""
    estimated = result_set.estimated
    counts: dict[str, dict] = {}
    for name in FACETS:
        # Without its own filter a facet counts the result itself.
        found = _sample(_filtered(base, filters, ids, skip=name)) if getattr(filters, name) else result_set
        estimated = estimated or found.estimated
        counts[name] = _facet_counts(found, name) if found.rows else {}
    return _labelled(counts), estimated


# --- PostgreSQL --------------------------------------------------------------------------------
#
# Words and filters go to the GIN index together: region, status, council, topic and group are labels
# in the stored tsvector (``kenes.issues.labels``), so the index intersects them with the words and
# only the issues matching all of them are read. The period stays a ``created_at`` range.

# A page of a large result (newest first) is read along ``created_at``, each row checked, when that
# means reading at most about this many rows (a query matching a good share of the table); otherwise
# the index's matches are read and sorted. Checking a row costs about 3 µs, reading a matching row
# found by the index about 5 µs: walking wins while the result is denser than a few in a thousand.
WALK_ROWS = 10_000
# The index's matches are sorted (never walked) only while the statistics say there are at most this
# many: sorting them costs about 2.5 µs each (see ``_newest_first``).
SORTED_MATCHES = 10_000
# A period holding less than this share of the issues is looked up in the ``created_at`` index even
# beside words; a longer one is checked on the words' matches (see ``_period``).
NARROW_PERIOD = 0.05
# Words matching at least this share of the issues (by the tsvector's statistics) find matches at
# once along the period's index, however long the period.
COMMON_SHARE = 0.03
_LABELS = {
    "region": labels.REGION,
    "topic": labels.TOPIC,
    "group": labels.GROUP,
    "council": labels.COUNCIL,
    "status": labels.STATUS,
}
_LINK_KINDS = {"topic": labels.TOPIC, "group": labels.GROUP}
# The stored topic and group labels (text[]).
_LINK_LABELS = RawSQL('"issues_issue"."search_labels"', [], output_field=TextField())
_BLOCK = RawSQL('("issues_issue".ctid::text::point)[0]::bigint', [])
_table_stats: dict[str, tuple[float, int, float]] = {}
_period_cache: dict[tuple[date | None, date | None], tuple[float, int]] = {}


def _labels(filters: IssueFilters, ids: dict[str, int | None], *, skip: str = "") -> tuple[str, ...]:
    return tuple(
        labels.label(kind, filters.status if name == "status" else ids[name])
        for name, kind in _LABELS.items()
        if getattr(filters, name) and name != skip
    )


# ``created_at`` as an expression no index holds: the planner must find rows by their other conditions.
_UNINDEXED_CREATED_AT = ExpressionWrapper(F("created_at") + timedelta(0), output_field=DateTimeField())


def _period(queryset: QuerySet, filters: IssueFilters, *, indexed: bool = True) -> QuerySet:
    """``queryset`` filed within the filters' period. ``indexed=False`` writes the bounds so that the
    planner cannot use the ``created_at`` index (PostgreSQL): beside a full-text match it would
    otherwise read the whole period's index into a bitmap to intersect (40 ms for a year of a
    million issues) where checking the date on the matches costs nothing."""
    if not (filters.date_from or filters.date_to):
        return queryset
    field = "created_at"
    if not indexed:
        queryset = queryset.alias(filed_at=_UNINDEXED_CREATED_AT)
        field = "filed_at"
    if filters.date_from:
        queryset = queryset.filter(**{f"{field}__gte": _day_start(filters.date_from)})
    if filters.date_to:
        queryset = queryset.filter(**{f"{field}__lt": _day_start(filters.date_to + timedelta(days=1))})
    return queryset


def _postgres_set(
    parsed: fulltext.Query,
    filters: IssueFilters,
    ids: dict,
    *,
    skip: str = "",
    indexed: bool = True,
    sample: bool = False,
) -> QuerySet:
    """Public issues matching the words and every filter but ``skip``.

    ``sample``: for an unordered sample of the matches — the GIN index finds them, and a period
    that is not a narrow one is checked on them rather than intersected (``_period``).
    """
    queryset = public_issues()
    wanted = _labels(filters, ids, skip=skip)
    if parsed or wanted:
        queryset = fulltext.matching(queryset, parsed, rank=False, labels=wanted, indexed=indexed)
        if sample and (filters.date_from or filters.date_to):
            # A narrow period, or words so common that reading the period along its index finds
            # matches at once, keep the index; otherwise the index of the words leads.
            _pages, rows = _table_size()
            narrow = rows > 0 and _period_rows(filters) < NARROW_PERIOD * rows
            common = fulltext.estimated_share(Issue, parsed, wanted) >= COMMON_SHARE
            return _period(queryset, filters, indexed=narrow or common)
    return _period(queryset, filters)


def _table_size() -> tuple[int, float]:
    """(pages, rows) of the issues table as of its last ANALYZE; cached per process."""
    cached = _table_stats.get("issues")
    now = monotonic()
    if cached is None or now - cached[0] > fulltext.STATS_TTL:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpages, reltuples FROM pg_class WHERE oid = 'issues_issue'::regclass")
            pages, rows = cursor.fetchone()
        cached = (now, int(pages), float(rows))
        _table_stats["issues"] = cached
    return cached[1], cached[2]


def _period_rows(filters: IssueFilters) -> int:
    """The planner's estimate of the issues filed in the period (exact enough: a ``created_at``
    range); cached per process like the table's size."""
    key = (filters.date_from, filters.date_to)
    cached = _period_cache.get(key)
    now = monotonic()
    if cached is None or now - cached[0] > fulltext.STATS_TTL:
        if len(_period_cache) > 1_000:  # any dates may be asked for: keep the cache bounded
            _period_cache.clear()
        cached = (now, _estimated_count(_period(Issue.objects.all(), filters)))
        _period_cache[key] = cached
    return cached[1]


def _size_of(queryset: QuerySet, taken: int, first: int, last: int, filters: IssueFilters) -> int:
    """Estimated size of a set of which a full sample of ``taken`` rows lay in table pages
    ``first``..``last``.

    The sample comes from a scan in table order (the GIN bitmap, a sequential scan or the
    ``created_at`` index — issues are appended as they are filed), so the share of the table it had
    to cover to find ``taken`` matches gives their density, from the first match on (a word new
    this year has its first match late in the table). The planner's own estimate multiplies the
    words' frequencies as if independent, which undercounts words that go together («кран ағады»)
    twenty-fold. A period covers its own pages only.
    """
    pages, rows = _table_size()
    if pages <= 0 or rows <= 0:  # never analysed: ask the planner
        return max(_estimated_count(queryset), taken)
    covered, span = last - first + 1, max(1, pages - first)
    if filters.date_from or filters.date_to:
        covered, span = last - first + 1, max(1.0, pages * _period_rows(filters) / rows)
    return max(taken, round(taken * span / max(1, covered)))


def _sql_facets(
    parsed: fulltext.Query,
    filters: IssueFilters,
    ids: dict[str, int | None],
    *,
    facets: bool = True,
    page: slice = slice(0, 0),
) -> tuple[int, bool, dict[str, dict], bool, list[tuple[int, float]]]:
    """PostgreSQL: the result's size and every facet's counts in one statement.

    Each set (the result, and the result without a facet's own filter when that filter is set) is a
    ``FACET_SAMPLE + 1``-row subquery of the matches (``OTHER_VALUES_SAMPLE + 1`` for the others),
    taken from the GIN index and materialised once; the counts are GROUP BYs over it (the topic and
    group ones over the labels each row carries). Nothing but the counts leaves the server. A full sample means the set is
    larger: its size is then estimated (``_size_of``) and its counts are scaled to it.

    With words, the same statement ranks the result's sample and returns the ``page`` slice of it,
    best first: the page of a result of at most ``FACET_SAMPLE`` issues (all of them in the sample)
    then needs no second scan of the matches.

    Returns (size of the result, whether estimated, counts per facet, whether any facet estimated,
    [(pk, rank)] of the page when ranked).
    """
    sets: dict[str, QuerySet] = {"": _postgres_set(parsed, filters, ids, sample=True)}
    for name in FACETS if facets else ():
        if getattr(filters, name):
            sets[name] = _postgres_set(parsed, filters, ids, skip=name, sample=True)
    ctes, selects, params = [], [], []
    for index, queryset in enumerate(sets.values()):
        fields = ["pk", "region_id", "status", "block", "links"]
        queryset = queryset.annotate(block=_BLOCK, links=_LINK_LABELS)
        if index == 0 and parsed:
            queryset = queryset.annotate(rank=fulltext.rank(queryset, parsed))
            fields.append("rank")
        limit = FACET_SAMPLE if index == 0 else OTHER_VALUES_SAMPLE
        sql, sql_params = queryset.order_by().values_list(*fields)[: limit + 1].query.sql_with_params()
        names = ", ".join(["id", "region_id", "status", "block", "links", "rank"][: len(fields)])
        ctes.append(f"s{index} ({names}) AS ({sql})")
        params += sql_params
        selects.append(
            f"SELECT 's{index}', MIN(block)::text, COUNT(*), MAX(block)::double precision FROM s{index}"
        )
    if parsed and page.stop > page.start:
        selects.append(
            "(SELECT 'hit', id::text, 0, rank FROM s0 ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s)"
        )
        params += [page.stop - page.start, page.start]
    linked: dict[str, list[str]] = {}  # sample -> the link facets counted on it
    for name in FACETS if facets else ():
        cte = f"s{list(sets).index(name if name in sets else '')}"
        if name == "region":
            selects.append(
                f"SELECT 'region', region_id::text, COUNT(*), NULL FROM {cte} "
                "WHERE region_id IS NOT NULL GROUP BY region_id"
            )
        elif name == "status":
            selects.append(f"SELECT 'status', status, COUNT(*), NULL FROM {cte} GROUP BY status")
        else:
            linked.setdefault(cte, []).append(name)
    for cte, names in linked.items():
        # From the labels the sample carries (``#t12``, ``#g3``): no join to the link tables, and
        # topics and groups in one pass when both are counted on the same sample.
        only = "" if len(names) == 2 else f" WHERE link LIKE '{_LINK_KINDS[names[0]]}%%'"
        selects.append(
            f"SELECT 'links', link, COUNT(*), NULL FROM {cte}, unnest(links) AS link{only} GROUP BY link"
        )
    samples: dict[str, tuple[int, int, int]] = {}
    raw: dict[str, dict] = {name: {} for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} " + " UNION ALL ".join(selects), params)
        hits = []
        for kind, key, count, score in cursor.fetchall():
            if kind == "hit":
                hits.append((int(key), score))
            elif kind == "links":
                link_kind, value = labels.parsed(key)
                raw["topic" if link_kind == labels.TOPIC else "group"][int(value)] = count
            elif kind in raw:
                raw[kind][key if kind == "status" else int(key)] = count
            else:
                samples[kind] = (count, int(key or 0), int(score or 0))
    scales: dict[str, float] = {}
    sized: dict[str, tuple[int, bool]] = {}
    for index, (name, queryset) in enumerate(sets.items()):
        taken, first, last = samples.get(f"s{index}", (0, 0, 0))
        limit = FACET_SAMPLE if index == 0 else OTHER_VALUES_SAMPLE
        if taken <= limit:
            sized[name], scales[name] = (taken, False), 1.0
        else:
            size = max(_size_of(queryset, taken, first, last, filters), limit + 1)
            sized[name], scales[name] = (size, True), size / taken
    counts = {}
    any_estimated = sized[""][1]
    for name in FACETS if facets else ():
        own = name if name in sets else ""
        any_estimated = any_estimated or sized[own][1]
        counts[name] = {key: round(count * scales[own]) for key, count in raw[name].items()}
    hits.sort(key=lambda hit: (-hit[1], -hit[0]))
    return sized[""][0], sized[""][1], counts, any_estimated, hits


def _newest_first(
    parsed: fulltext.Query, filters: IssueFilters, ids: dict, total: int, estimated: bool, wanted: int
) -> QuerySet:
    """The result newest first (PostgreSQL), written for the plan that reads the fewest rows: along
    the ``created_at`` index, checking each row, when matches are dense; else the matches the indexes
    find, sorted.

    The sort is written so that the planner cannot walk the ``created_at`` index instead — which it
    does when it overestimates the matches (16,000 rows walked where sorting 1,300 matches costs a
    quarter) — but only while the statistics, too, say the words and labels match few issues: the
    sample-based ``total`` undercounts a word that was rare and has become frequent, and sorting
    all its matches would cost far more than the walk.
    """
    indexed = True
    _pages, rows = _table_size()
    if estimated:
        walked = min(rows, _period_rows(filters)) if filters.date_from or filters.date_to else rows
        indexed = walked <= 0 or wanted * walked / max(total, 1) > WALK_ROWS
    queryset = _postgres_set(parsed, filters, ids, indexed=indexed)
    wanted_labels = _labels(filters, ids)
    if (
        indexed
        and (parsed or wanted_labels)
        and fulltext.estimated_share(Issue, parsed, wanted_labels, independent=True) * rows <= SORTED_MATCHES
    ):
        return queryset.order_by(_UNINDEXED_CREATED_AT.desc(), F("pk").desc())
    return queryset.order_by("-created_at", "-pk")


# What a hit shows (the issue list, the search API, the site search): a page reads these columns.
_HIT_FIELDS = (
    *("title", "description", "language", "status", "created_at", "region", "council"),
    *("region__code", "region__name_kk", "region__name_ru", "region__name_en"),
    *("council__code", "council__name_kk", "council__name_ru", "council__name_en"),
)


def _shown(queryset: QuerySet) -> QuerySet:
    """What a hit shows: the issue with its region and council, and on PostgreSQL the labels of its
    topics and groups (``_attach_links``). The stems, the submitter's contact and the rest are not
    read."""
    queryset = queryset.select_related("region", "council").only(*_HIT_FIELDS)
    if connection.vendor == "postgresql":
        queryset = queryset.annotate(link_labels=_LINK_LABELS)
    return queryset


def public_issues() -> QuerySet:
    """Issues anybody may find: everything but those awaiting moderation and removed as spam."""
    return Issue.objects.exclude(status__in=PRIVATE_STATUSES)


def issue_search(
    *, query: str, filters: IssueFilters, user=None, page: int = 1, per_page: int = 20, facets: bool = True
) -> IssueSearchResult:
    """Public issues matching ``query`` (every word, in any script) and ``filters``, a page of them.

    Ordered by relevance when there is a query matching at most ``RANK_LIMIT`` issues, newest first
    otherwise; with ``facets``, counts per
    region, topic, status and vulnerable group. The number of queries does not depend on the rows.
    ``user`` is accepted for the permission rules to come: today search shows public issues to all.
    """
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    query = (query or "").strip()
    parsed = fulltext.parse_query(query)
    result = IssueSearchResult(query=query, hits=[], total=0, page=page, per_page=per_page)
    if query and not parsed:
        result.empty_query = True
        result.facets = {name: [] for name in FACETS} if facets else {}
        return result
    if filters.status and filters.status in PRIVATE_STATUSES:
        result.facets = {name: [] for name in FACETS} if facets else {}
        return result
    ids = _resolve(filters)
    if ids is None:
        result.facets = {name: [] for name in FACETS} if facets else {}
        return result
    parsed = fulltext.finished_words(Issue, parsed)
    start = (page - 1) * per_page
    if connection.vendor == "postgresql":
        # The size and every facet in one statement; the page in a second (ranked in SQL when every
        # match is counted, else newest first).
        total, estimated, counts, facets_estimated, ranked = _sql_facets(
            parsed, filters, ids, facets=facets, page=slice(start, start + per_page)
        )
        result.total, result.total_estimated = total, estimated
        if parsed and not estimated and total <= RANK_LIMIT:
            # The whole result was in the sample: the statement above ranked it.
            result.ranked = True
            scores = dict(ranked)
            by_pk = {issue.pk: issue for issue in _shown(Issue.objects.filter(pk__in=scores))}
            issues = [by_pk[pk] for pk, _score in ranked if pk in by_pk]
            for issue in issues:
                issue.rank = scores[issue.pk]
        elif start < total:
            # The page's keys are found (and sorted) first, reading one narrow column of each match;
            # then only the page's rows are read whole.
            keys = _newest_first(parsed, filters, ids, total, estimated, start + per_page)
            page = keys.values("pk")[start : start + per_page]
            issues = list(_shown(Issue.objects.filter(pk__in=page)).order_by("-created_at", "-pk"))
        else:
            issues = []
        _attach_links(issues)
        result.hits = [_hit(issue, parsed) for issue in issues]
        if facets:
            result.facets, result.facets_estimated = _labelled(counts), facets_estimated
        return result
    base = public_issues()
    if parsed:
        base = fulltext.matching(base, parsed, rank=False)
    filtered = _filtered(base, filters, ids)
    result_set = _sample(filtered)
    result.total = result_set.size
    if parsed and result.total <= RANK_LIMIT:
        # Every match is in hand: rank them in one query, fetch the page's rows by key.
        result.ranked = True
        # (The sample holds every match unless the result outgrew ``FACET_SAMPLE``.)
        candidates = (
            list(filtered.order_by().values_list("pk", flat=True))
            if result_set.estimated
            else [row[0] for row in result_set.rows]
        )
        scores = fulltext.ranks(Issue, parsed, candidates)
        order = sorted(scores, key=lambda pk: (-scores[pk], -pk))[start : start + per_page]
        found = _shown(Issue.objects.filter(pk__in=order))
        by_pk = {issue.pk: issue for issue in found}
        issues = [by_pk[pk] for pk in order if pk in by_pk]
        for issue in issues:
            issue.rank = scores[issue.pk]
    else:
        rows = _shown(filtered.order_by("-created_at", "-pk"))
        issues = list(rows[start : start + per_page]) if start < result.total else []
    _attach_links(issues)
    result.hits = [_hit(issue, parsed) for issue in issues]
    if facets:
        result.facets, result.facets_estimated = _facets(base, filters, ids, result_set)
    return result


def _hit(issue: Issue, parsed: fulltext.Query) -> IssueHit:
    title, title_spans = fulltext.snippet(issue.title, parsed, limit=len(issue.title) + 1)
    snippet, spans = fulltext.snippet(issue.description, parsed)
    return IssueHit(
        issue=issue,
        rank=getattr(issue, "rank", None),
        title_html=fulltext.marked(title, title_spans),
        title_highlights=title_spans,
        snippet=snippet,
        snippet_html=fulltext.marked(snippet, spans),
        highlights=spans,
    )


def issue_url(pk: int) -> str:
    """The issue's page; empty until the issues views exist."""
    try:
        return reverse("issues:detail", args=[pk])
    except NoReverseMatch:
        return ""


def issue_hits(query_terms: list[str]):
    """Site search provider: the best matching public issues (see ``kenes.search.registry``)."""
    query = " ".join(query_terms)
    if not fulltext.parse_query(query):
        return
    found = issue_search(
        query=query, filters=IssueFilters(), page=1, per_page=SITE_SEARCH_LIMIT, facets=False
    )
    for hit in found.hits:
        issue = hit.issue
        yield Hit(
            _("Topical problem"), issue.title, issue_url(issue.pk), issue.region.name if issue.region else ""
        )
