"""The problems database's use of the similarity engine (``kenes.search.similarity``).

The engine knows keys and texts only; this module feeds it the issues that may be suggested (public
ones; never pending or removed submissions) and turns its matches back into issues for pages and the
API.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from .models import PRIVATE_STATUSES, Issue

COLLECTION = "issues"
BATCH = 64


@dataclass(frozen=True)
class Suggestion:
    issue: Issue
    score: float
    duplicate: bool


def _indexable():
    return Issue.objects.exclude(status__in=PRIVATE_STATUSES)


def index_issues(pks: list[int]) -> int:
    """Store vectors of the public issues among ``pks``; forget the ones no longer public."""
    rows = list(Issue.objects.filter(pk__in=pks).values_list("pk", "status", "title", "description"))
    items = [
        (pk, f"{title}. {description}")
        for pk, status, title, description in rows
        if status not in PRIVATE_STATUSES
    ]
    gone = [pk for pk, status, *_rest in rows if status in PRIVATE_STATUSES]
    gone += sorted(set(pks) - {row[0] for row in rows})
    for start in range(0, len(items), BATCH):
        _engine().index(COLLECTION, items[start : start + BATCH])
    if gone:
        _engine().forget(COLLECTION, gone)
    return len(items)


MISSING_BATCH = 1000


def index_missing(limit: int = MISSING_BATCH) -> int:
    """Index public issues that have no stored vector yet (at most ``limit`` per run)."""
    from kenes.search.models import Embedding

    stored = Embedding.objects.filter(collection=COLLECTION).values("key")
    missing = list(
        _indexable().exclude(pk__in=stored).order_by("-created_at").values_list("pk", flat=True)[:limit]
    )
    return index_issues(missing) if missing else 0


def _public_among(keys: list[int]) -> set[int]:
    return set(_indexable().filter(pk__in=keys).values_list("pk", flat=True))


def similar_issues(text: str, *, k: int = 5, exclude: set[int] = frozenset()) -> list[Suggestion]:
    """The ``k`` published issues most like ``text``, in any language or script, best first."""
    if not (text or "").strip():
        return []
    matches = _engine().similar(COLLECTION, text, k=k, exclude=set(exclude), allowed=_public_among)
    return _suggestions(matches)


def similar_to_issue(issue: Issue, *, k: int = 5) -> list[Suggestion]:
    """Published issues like ``issue``: from its stored vector when it has one (no embedding needed)."""
    matches = _engine().neighbours(COLLECTION, issue.pk, k=k * 3)
    if not matches:
        return similar_issues(issue.text, k=k, exclude={issue.pk})
    public = _public_among([match.key for match in matches])
    matches = [match for match in matches if match.key in public][:k]
    return _suggestions(matches)


def _suggestions(matches) -> list[Suggestion]:
    issues = (
        Issue.objects.filter(pk__in=[match.key for match in matches])
        .select_related("council", "region", "problem")
        .annotate(support_count=Count("supports"))
        .in_bulk()
    )
    return [
        Suggestion(issue=issues[match.key], score=match.score, duplicate=match.duplicate)
        for match in matches
        if match.key in issues
    ]


def _engine():
    """The similarity engine, imported on first use: loading it pulls the embedding model's library."""
    from kenes.search import similarity

    return similarity
