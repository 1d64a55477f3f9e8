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
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kenes.core.models import Region, Topic, VulnerableGroup
from kenes.councils.models import Council
from kenes.search import fulltext
from kenes.search.registry import Hit

from .models import PRIVATE_STATUSES, Issue

FACETS = ("region", "topic", "status", "group")
MAX_PER_PAGE = 100
# Above this many matching issues the total is the planner's estimate and the facets are counted on
# the first ``FACET_SAMPLE`` matches the index gives and scaled to it; the result says so
# (``total_estimated``, ``facets_estimated``). Exact counts over hundreds of thousands of rows cost
# far more than the 50 ms a search may take.
FACET_SAMPLE = 1_000
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
    # ``total`` is the planner's estimate: more than ``FACET_SAMPLE`` issues match (PostgreSQL).
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
    queryset = base
    if filters.region and skip != "region":
        queryset = queryset.filter(region_id=ids["region"])
    # PostgreSQL: EXISTS on the through tables (answered by their (issue_id, …_id) unique index, or
    # hashed from the (…_id, issue_id) index of migration 0003) rather than a join. SQLite keeps the
    # join, which its planner handles as well or better.
    exists = connection.vendor == "postgresql"
    if filters.topic and skip != "topic":
        if exists:
            through = Issue.topics.through
            queryset = queryset.filter(
                Exists(through.objects.filter(issue_id=OuterRef("pk"), topic_id=ids["topic"]))
            )
        else:
            queryset = queryset.filter(topics=ids["topic"])
    if filters.group and skip != "group":
        if exists:
            through = Issue.groups.through
            queryset = queryset.filter(
                Exists(through.objects.filter(issue_id=OuterRef("pk"), vulnerablegroup_id=ids["group"]))
            )
        else:
            queryset = queryset.filter(groups=ids["group"])
    if filters.status and skip != "status":
        queryset = queryset.filter(status=filters.status)
    if filters.council:
        queryset = queryset.filter(council_id=ids["council"])
    if filters.date_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return queryset


# Regions, topics and vulnerable groups are reference data: read once per process (and again after
# ``REFERENCE_TTL`` seconds or any save or delete of one of them), not on every search.
REFERENCE_TTL = 300.0
_REFERENCE_MODELS = {"region": Region, "topic": Topic, "group": VulnerableGroup}
_reference_cache: dict[str, tuple[float, dict[str, int], dict[int, object]]] = {}


def _reference(name: str) -> tuple[dict[str, int], dict[int, object]]:
    """(code -> pk of every row, pk -> living row) of the reference model of facet ``name``."""
    cached = _reference_cache.get(name)
    now = monotonic()
    if cached is None or now - cached[0] > REFERENCE_TTL:
        rows = list(_REFERENCE_MODELS[name]._default_manager.all())
        by_code = {row.code: row.pk for row in rows}
        alive = {row.pk: row for row in rows if row.deleted_at is None}
        cached = (now, by_code, alive)
        _reference_cache[name] = cached
    return cached[1], cached[2]


def _forget_reference(sender=None, **kwargs):
    _reference_cache.clear()


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
    """Topic or group ids of the issues ``issue_ids``, one per link.

    In SQL with an array (PostgreSQL) so that the planner looks the keys up in the through table's
    index instead of scanning it, as it does for an IN list of a thousand literals.
    """
    through = (Issue.topics if name == "topic" else Issue.groups).through
    column = "topic_id" if name == "topic" else "vulnerablegroup_id"
    table = connection.ops.quote_name(through._meta.db_table)
    found: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {column} FROM {table} WHERE issue_id = ANY(%s)", [issue_ids])
            found = [row[0] for row in cursor.fetchall()]
        else:
            for start in range(0, len(issue_ids), 500):  # within SQLite's limit on parameters
                chunk = issue_ids[start : start + 500]
                cursor.execute(
                    f"SELECT {column} FROM {table} WHERE issue_id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
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


def _labelled(counts: dict[str, dict]) -> dict[str, list[FacetValue]]:
    labels: dict[str, dict] = {
        name: {pk: (row.code, row.name) for pk, row in _reference(name)[1].items()}
        for name in ("region", "topic", "group")
    }
    labels["status"] = {value: (value, str(label)) for value, label in Issue.Status.choices}
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


def _sql_facets(
    base: QuerySet,
    filters: IssueFilters,
    ids: dict[str, int | None],
    *,
    facets: bool = True,
    parsed: fulltext.Query | None = None,
    page: slice = slice(0, 0),
) -> tuple[int, bool, dict[str, dict], bool, list[tuple[int, float]]]:
    """PostgreSQL: the result's size and every facet's counts in one statement.

    Each set (the result, and the result without a facet's own filter when that filter is set) is a
    ``FACET_SAMPLE + 1``-row subquery of the matches, taken from the GIN index and materialised once;
    the counts are GROUP BYs over it (the topic and group ones joined to the through tables by their
    ``issue_id`` index). Nothing but the counts leaves the server. A full sample means the set is
    larger: its size is then the planner's estimate and its counts are scaled to it.

    With ``parsed``, the same statement ranks the result's sample and returns the ``page`` slice of
    it, best first: the page of a result of at most ``FACET_SAMPLE`` issues (all of them in the
    sample) then needs no second scan of the matches.

    Returns (size of the result, whether estimated, counts per facet, whether any facet estimated,
    [(pk, rank)] of the page when ranked).
    """
    quote = connection.ops.quote_name
    sets: dict[str, QuerySet] = {"": _filtered(base, filters, ids)}
    for name in FACETS if facets else ():
        if getattr(filters, name):
            sets[name] = _filtered(base, filters, ids, skip=name)
    ctes, selects, params = [], [], []
    for index, queryset in enumerate(sets.values()):
        fields = ["pk", "region_id", "status"]
        if index == 0 and parsed:
            queryset = queryset.annotate(rank=fulltext.rank(queryset, parsed))
            fields.append("rank")
        sql, sql_params = queryset.order_by().values_list(*fields)[: FACET_SAMPLE + 1].query.sql_with_params()
        names = ", ".join(["id", "region_id", "status", "rank"][: len(fields)])
        ctes.append(f"s{index} ({names}) AS ({sql})")
        params += sql_params
        selects.append(f"SELECT 's{index}', '', COUNT(*), CAST(NULL AS double precision) FROM s{index}")
    if parsed and page.stop > page.start:
        selects.append(
            "(SELECT 'hit', id::text, 0, rank FROM s0 ORDER BY rank DESC, id DESC LIMIT %s OFFSET %s)"
        )
        params += [page.stop - page.start, page.start]
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
            through = (Issue.topics if name == "topic" else Issue.groups).through
            column = "topic_id" if name == "topic" else "vulnerablegroup_id"
            selects.append(
                f"SELECT '{name}', link.{column}::text, COUNT(*), NULL FROM {cte} "
                f"JOIN {quote(through._meta.db_table)} link ON link.issue_id = {cte}.id GROUP BY link.{column}"
            )
    sizes: dict[str, int] = {}
    raw: dict[str, dict] = {name: {} for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} " + " UNION ALL ".join(selects), params)
        hits = []
        for kind, key, count, score in cursor.fetchall():
            if kind == "hit":
                hits.append((int(key), score))
            elif kind in raw:
                raw[kind][key if kind == "status" else int(key)] = count
            else:
                sizes[kind] = count
    scales: dict[str, float] = {}
    sized: dict[str, tuple[int, bool]] = {}
    for index, (name, queryset) in enumerate(sets.items()):
        taken = sizes.get(f"s{index}", 0)
        if taken <= FACET_SAMPLE:
            sized[name], scales[name] = (taken, False), 1.0
        else:
            size = max(_estimated_count(queryset), FACET_SAMPLE + 1)
            sized[name], scales[name] = (size, True), size / taken
    counts = {}
    any_estimated = sized[""][1]
    for name in FACETS if facets else ():
        own = name if name in sets else ""
        any_estimated = any_estimated or sized[own][1]
        counts[name] = {key: round(count * scales[own]) for key, count in raw[name].items()}
    hits.sort(key=lambda hit: (-hit[1], -hit[0]))
    return sized[""][0], sized[""][1], counts, any_estimated, hits


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
    base = public_issues()
    if parsed:
        base = fulltext.matching(base, parsed, rank=False)
    filtered = _filtered(base, filters, ids)
    start = (page - 1) * per_page
    related = ("region", "council")
    if connection.vendor == "postgresql":
        # The size and every facet in one statement; the page in a second (ranked in SQL when every
        # match is counted, else newest first along the ``created_at`` index).
        total, estimated, counts, facets_estimated, ranked = _sql_facets(
            base, filters, ids, facets=facets, parsed=parsed, page=slice(start, start + per_page)
        )
        result.total, result.total_estimated = total, estimated
        if parsed and not estimated and total <= RANK_LIMIT:
            # The whole result was in the sample: the statement above ranked it.
            result.ranked = True
            scores = dict(ranked)
            rows = Issue.objects.filter(pk__in=scores)
        else:
            rows = filtered.order_by("-created_at", "-pk")
        rows = rows.select_related(*related).prefetch_related("topics", "groups")
        if result.ranked:
            by_pk = {issue.pk: issue for issue in rows}
            issues = [by_pk[pk] for pk, _score in ranked if pk in by_pk]
            for issue in issues:
                issue.rank = scores[issue.pk]
        else:
            issues = list(rows[start : start + per_page]) if start < total else []
        result.hits = [_hit(issue, parsed) for issue in issues]
        if facets:
            result.facets, result.facets_estimated = _labelled(counts), facets_estimated
        return result
    result_set = _sample(filtered)
    result.total = result_set.size
    if parsed and result.total <= RANK_LIMIT:
        # Every match is in hand: rank them in one query, fetch the page's rows by key.
        result.ranked = True
        scores = fulltext.ranks(Issue, parsed, [row[0] for row in result_set.rows])
        order = sorted(scores, key=lambda pk: (-scores[pk], -pk))[start : start + per_page]
        found = (
            Issue.objects.filter(pk__in=order).select_related(*related).prefetch_related("topics", "groups")
        )
        by_pk = {issue.pk: issue for issue in found}
        issues = [by_pk[pk] for pk in order if pk in by_pk]
        for issue in issues:
            issue.rank = scores[issue.pk]
    else:
        rows = filtered.order_by("-created_at", "-pk").select_related(*related)
        rows = rows.prefetch_related("topics", "groups")
        issues = list(rows[start : start + per_page]) if start < result.total else []
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
