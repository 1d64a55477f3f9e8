"""API of search: ``/api/v1/search`` finds public topical problems (issues) by text, with facets.

Highlighting is returned as plain text plus offsets, not HTML, so that no client has to trust markup:
``snippet`` is an excerpt of the description around the first match (``…`` marks a cut) and
``highlights`` the ``[start, end)`` offsets of the matching words in it, in Unicode code points
(``title_highlights`` the same for the title).
"""

from datetime import date, datetime
from enum import StrEnum

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from kenes.core.api import Code, ErrorOut, ValidationErrorOut
from kenes.core.models import Region, Topic, VulnerableGroup
from kenes.councils.models import Council
from kenes.issues.models import Issue
from kenes.issues.search import MAX_PER_PAGE, IssueFilters, IssueHit, issue_search, issue_url
from kenes.search import fulltext

router = Router(tags=["search"])

IssueStatus = StrEnum("IssueStatus", [(value, value) for value in Issue.Status.values])
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


class SearchFilters(Schema):
    q: str = Field(
        "",
        max_length=fulltext.MAX_QUERY_CHARS * 2,
        description="words in Kazakh (Cyrillic or any Latin alphabet), Russian or English; every word must "
        "match, the last one also as a prefix. Empty: newest first.",
    )
    region: Code | None = Field(None, description="KATO code of the region")
    topic: Code | None = Field(None, description="code of the topic")
    status: IssueStatus | None = Field(None, description="status; issues awaiting moderation are never found")
    group: Code | None = Field(None, description="code of the vulnerable group")
    council: Code | None = Field(None, description="code of the council")
    date_from: date | None = Field(None, description="filed on or after this day")
    date_to: date | None = Field(None, description="filed on or before this day")
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(20, ge=1, le=MAX_PER_PAGE)


class FacetValueOut(Schema):
    code: str
    label: str
    count: int


class FacetsOut(Schema):
    region: list[FacetValueOut]
    topic: list[FacetValueOut]
    status: list[FacetValueOut]
    group: list[FacetValueOut]


class IssueHitOut(Schema):
    id: int
    title: str
    title_highlights: list[tuple[int, int]] = Field(
        description="[start, end) offsets of matches in the title"
    )
    snippet: str = Field(description="plain-text excerpt of the description around the first match")
    highlights: list[tuple[int, int]] = Field(description="[start, end) offsets of matches in the snippet")
    language: str
    status: str
    region: str | None = Field(None, description="KATO code of the region")
    council: str = Field(description="code of the council")
    topics: list[str]
    groups: list[str]
    created_at: datetime
    rank: float | None = Field(None, description="relevance, higher is better; null without a query")
    url: str


class SearchOut(Schema):
    total: int = Field(description="issues matching the query and every filter")
    total_estimated: bool = Field(description="true when so many issues match that total is an estimate")
    page: int
    pages: int
    page_size: int
    hits: list[IssueHitOut]
    facets: FacetsOut = Field(description="counts per value, each facet with the other filters applied")
    facets_estimated: bool = Field(
        description="true when the match set was too large to count exactly: facet counts are scaled from a "
        "sample of it"
    )
    empty_query: bool = Field(description="true when q held nothing searchable (only punctuation or symbols)")
    ranked: bool = Field(
        description="true when the hits are ordered by relevance; a query matching very many issues (or no "
        "query) lists them newest first"
    )


def _hit(hit: IssueHit) -> dict:
    issue = hit.issue
    return {
        "id": issue.pk,
        "title": issue.title,
        "title_highlights": hit.title_highlights,
        "snippet": hit.snippet,
        "highlights": hit.highlights,
        "language": issue.language,
        "status": issue.status,
        "region": issue.region.code if issue.region_id else None,
        "council": issue.council.code,
        "topics": [topic.code for topic in issue.topic_list],
        "groups": [group.code for group in issue.group_list],
        "created_at": issue.created_at,
        "rank": hit.rank,
        "url": issue_url(issue.pk) or f"/issues/{issue.pk}/",
    }


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Search topical problems",
)
def search(request, filters: Query[SearchFilters]):
    """Public topical problems matching the words of ``q`` and the filters, most relevant first.

    Kazakh in any script meets Cyrillic (``jumyssyzdyq`` finds «жұмыссыздығы»), word forms meet their
    stem. Dates outside 2000–2100 or ``date_from`` after ``date_to`` are a 400; a region, topic,
    group or council code that names nothing is a 404.
    """
    for day in (filters.date_from, filters.date_to):
        if day and not EARLIEST <= day <= LATEST:
            raise HttpError(400, _("Dates must be between 2000 and 2100."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise HttpError(400, _("The start of the period is after its end."))
    for name, model in (
        ("region", Region),
        ("topic", Topic),
        ("group", VulnerableGroup),
        ("council", Council),
    ):
        code = getattr(filters, name)
        if code and not model._default_manager.filter(code=code).exists():
            raise Http404
    result = issue_search(
        query=filters.q,
        filters=IssueFilters(
            region=filters.region or "",
            topic=filters.topic or "",
            status=filters.status or "",
            group=filters.group or "",
            council=filters.council or "",
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
        user=request.user,
        page=filters.page,
        per_page=filters.page_size,
    )
    return {
        "total": result.total,
        "total_estimated": result.total_estimated,
        "page": result.page,
        "pages": result.pages,
        "page_size": result.per_page,
        "hits": [_hit(hit) for hit in result.hits],
        "facets": {name: [vars(value) for value in values] for name, values in result.facets.items()},
        "facets_estimated": result.facets_estimated,
        "empty_query": result.empty_query,
        "ranked": result.ranked,
    }
